"""Build the labelled evaluation pairs from the real lists in ../shared (run by hand, output committed).

    .venv/bin/python tests/screening/eval/make_pairs.py /work/shared/data/lists > tests/screening/eval/pairs.csv

Only names from US-government lists (BIS Entity List text, OFAC SDN/consolidated, trade.gov CSL,
DoD §1260H/§1286, NDAA §889/§5949) are copied, as single names: those are public-domain.  The
hand-written rows (Chinese-script names, peers, siblings) are our own.  Deterministic (seeded).
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

from detente import registry
from detente.screening.loaders import detect_source
from detente.screening.normalize import tokens
from detente.screening.registry import load_registry

US_SOURCES = {
    "bis_entity_list_china_universities",
    "ofac_sdn",
    "ofac_consolidated",
    "trade_gov_csl",
    "dod_1260h",
    "dod_1286",
    "ndaa_889_5949",
}
rng = random.Random(20261128)

# Hand-written: Chinese-script and pinyin forms of listed organisations (expected hit).
CJK = [
    ("国防科技大学", "National University of Defense Technology"),
    ("中国人民解放军国防科技大学", "National University of Defense Technology"),
    ("北京航空航天大学", "Beijing University of Aeronautics and Astronautics"),
    ("北京航空航天大學", "Beijing University of Aeronautics and Astronautics"),
    ("哈尔滨工业大学", "Harbin Institute of Technology"),
    ("哈爾濱工業大學", "Harbin Institute of Technology"),
    ("西北工业大学", "Northwestern Polytechnical University"),
    ("四川大学", "Sichuan University"),
    ("哈尔滨工程大学", "Harbin Engineering University"),
    ("南京航空航天大学", "Nanjing University of Aeronautics and Astronautics"),
    ("南京理工大学", "Nanjing University of Science and Technology"),
    ("华为技术有限公司", "Huawei Technologies Co., Ltd."),
    ("华为", "Huawei Technologies Co., Ltd."),
    ("中国电子科技集团公司", "China Electronics Technology Group Corporation"),
    ("中国航天科工集团", "China Aerospace Science and Industry Corporation"),
    ("中国航天科技集团", "China Aerospace Science and Technology Corporation"),
    ("军事医学科学院", "Academy of Military Medical Sciences"),
    ("中国工程物理研究院", "China Academy of Engineering Physics"),
    ("电子科技大学", "University of Electronic Science and Technology of China"),
    ("北京理工大学", "Beijing Institute of Technology"),
    ("Guofang Keji Daxue", "National University of Defense Technology"),
    ("Haerbin Gongye Daxue", "Harbin Institute of Technology"),
    ("Sichuan Daxue", "Sichuan University"),
    ("Beihang Daxue", "Beihang University"),
    ("Xibei Gongye Daxue", "Northwestern Polytechnical University"),
]
# Hand-written hard negatives: unlisted peers and siblings of listed units (expected no hit).
PEERS = [
    "Peking University",
    "北京大学",
    "Beijing Daxue",
    "Fudan University",
    "复旦大学",
    "Zhejiang University",
    "浙江大学",
    "Nanjing University",
    "南京大学",
    "Wuhan University",
    "Sun Yat-sen University",
    "Tongji University",
    "Xiamen University",
    "Shandong University",
    "Jilin University",
    "Nankai University",
    "East China Normal University",
    "Massachusetts Institute of Technology",
    "Stanford University",
    "University of Oxford",
    "ETH Zurich",
    "University of Tokyo",
    "Korea Advanced Institute of Science and Technology",
    "Mila - Quebec AI Institute",
    "Alan Turing Institute",
    "UK AI Security Institute",
    "Anthropic PBC",
    "OpenAI",
    "Google DeepMind",
    "Microsoft Research Asia",
    "Shanghai AI Laboratory",
    "Beijing Academy of Artificial Intelligence",
    "Concordia AI",
    "Tsinghua University Institute for AI Industry Research",
    "Hong Kong University of Science and Technology",
    "National University of Singapore",
    "Carnegie Mellon University",
    "University of Cambridge",
    "Max Planck Institute for Intelligent Systems",
    "Chinese University of Hong Kong",
    "Shanghai Jiao Tong University School of Medicine",
    "Renmin University of China",
    "Beijing Normal University",
    "China Agricultural University",
    "Peking Union Medical College",
    "Southern University of Science and Technology",
    "Westlake University",
    "ShanghaiTech University",
    "University of Chinese Academy of Social Sciences",
]
SIBLINGS = [
    "Tsinghua University School of Economics and Management",
    "Tsinghua University Department of Computer Science and Technology",
    "Institute for Interdisciplinary Information Sciences, Tsinghua University",
    "Tsinghua Shenzhen International Graduate School",
    "Chinese Academy of Sciences Institute of Botany",
    "Institute of Psychology, Chinese Academy of Sciences",
    "Chinese Academy of Sciences Institute of Zoology",
    "CAS Institute of Geographic Sciences and Natural Resources Research",
    "Shenzhen University College of Economics",
    "Shenzhen University School of Medicine",
    "Chinese Academy of Sciences Institute of Neuroscience",
    "Institute of Vertebrate Paleontology and Paleoanthropology",
]
PARENTS_HAND = [
    "Tsinghua University",
    "清华大学",
    "Qinghua Daxue",
    "Chinese Academy of Sciences",
    "Shenzhen University",
]
CITIES = [
    "Nanjing",
    "Wuhan",
    "Chengdu",
    "Hangzhou",
    "Suzhou",
    "Qingdao",
    "Dalian",
    "Xiamen",
    "Kunming",
    "Changsha",
    "Hefei",
    "Jinan",
    "Lanzhou",
    "Taiyuan",
    "Fuzhou",
    "Nanning",
    "Guiyang",
]
WORDS = [
    "Ocean",
    "Forestry",
    "Textile",
    "Agricultural",
    "Medical",
    "Pharmaceutical",
    "Maritime",
    "Petroleum",
    "Normal",
    "Finance",
    "Tourism",
    "Dairy",
    "Furniture",
    "Ceramics",
    "Optical",
    "Garment",
    "Tea",
]
GIVEN = [
    "Wei",
    "Ming",
    "Li",
    "Jian",
    "Hong",
    "Anna",
    "Maria",
    "Pavel",
    "Olga",
    "Ahmad",
    "Hassan",
    "John",
    "Peter",
    "Elena",
    "Yusuf",
]

LAT2CYR = [
    ("shch", "щ"),
    ("kh", "х"),
    ("zh", "ж"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ya", "я"),
    ("yo", "ё"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("y", "ы"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("c", "к"),
]


def to_cyrillic(s: str) -> str:
    out = []
    for word in s.lower().split():
        w = word
        res = ""
        i = 0
        while i < len(w):
            for lat, cyr in LAT2CYR:
                if w.startswith(lat, i):
                    res += cyr
                    i += len(lat)
                    break
            else:
                res += w[i]
                i += 1
        out.append(res.upper())
    return " ".join(out)


def typo(s: str) -> str:
    words = s.split()
    cand = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not cand:
        return s
    i = rng.choice(cand)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    op = rng.choice(["del", "swap", "sub", "ins"])
    if op == "del":
        w = w[:j] + w[j + 1 :]
    elif op == "swap":
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    elif op == "sub":
        w = w[:j] + rng.choice("aeiou") + w[j + 1 :]
    else:
        w = w[:j] + w[j] + w[j:]
    words[i] = w
    return " ".join(words)


def main(root: Path) -> None:
    reg = load_registry()
    groups: dict[str, dict[str, bytes]] = {}
    for p in sorted(root.glob("*/*")):
        if p.name == "SOURCE.md":
            continue
        groups.setdefault(detect_source(p), {})[p.name] = p.read_bytes()
    entries = []
    all_names: set[str] = set()
    for sid, files in groups.items():
        parsed = registry.get("list_loader", reg.source(sid).format).load(files, sid)
        for e in parsed.entries:
            for n in (e.name, *e.aliases):
                all_names.add(" ".join(tokens(n)))
        if sid in US_SOURCES:
            entries.extend(parsed.entries)
    rows: list[dict[str, str]] = []

    def add(
        cat: str,
        expected: str,
        query: str,
        target: str,
        typ: str = "org",
        country: str = "",
        lst: str = "",
    ) -> None:
        rows.append(
            {
                "category": cat,
                "expected": expected,
                "query": query,
                "type": typ,
                "country": country,
                "target": target,
                "target_list": lst,
            }
        )

    def listed(name: str) -> bool:
        return " ".join(tokens(name)) in all_names

    orgs = [e for e in entries if e.schema != "person" and len(tokens(e.name)) >= 2]
    cn_orgs = [
        e
        for e in orgs
        if "CN" in e.countries
        or e.source_id
        in {"dod_1260h", "dod_1286", "bis_entity_list_china_universities", "ndaa_889_5949"}
    ]
    people = [
        e for e in entries if e.schema == "person" and "," in e.name and len(e.name.split()) >= 2
    ]
    rng.shuffle(orgs)
    rng.shuffle(cn_orgs)
    rng.shuffle(people)

    for e in cn_orgs[:40]:
        add(
            "exact",
            "hit",
            e.name,
            e.name,
            country=e.countries[0] if e.countries else "",
            lst=e.list_id,
        )
    n = 0
    for e in cn_orgs + orgs:
        if n >= 70:
            break
        als = [a for a in e.aliases if len(tokens(a)) >= 1 and not listed_elsewhere(a, e, entries)]
        if als:
            add("alias", "hit", rng.choice(als), e.name, lst=e.list_id)
            n += 1
    n = 0
    seen_acr: set[str] = set()
    for e in cn_orgs + orgs:
        if n >= 45:
            break
        for a in e.acronyms:
            if len(a) >= 3 and a not in seen_acr:
                seen_acr.add(a)
                add("acronym", "hit", a, e.name, lst=e.list_id)
                n += 1
                break
    for q, t in CJK:
        add("transliteration_cjk", "hit", q, t, country="CN")
    ru = [
        e
        for e in orgs
        if "RU" in e.countries and e.name.isascii() and re.fullmatch(r"[A-Z \-']+", e.name)
    ]
    rng.shuffle(ru)
    for e in ru[:35]:
        add(
            "transliteration_cyrillic",
            "hit",
            to_cyrillic(e.name),
            e.name,
            country="RU",
            lst=e.list_id,
        )
    for e in (cn_orgs[40:] + orgs)[:80]:
        t = typo(e.name)
        if t != e.name:
            add("typo", "hit", t, e.name, lst=e.list_id)
    k = 0
    for e in orgs[100:]:
        if k >= 40:
            break
        w = e.name.replace(",", "").split()
        if len(w) >= 3:
            w2 = w[1:] + w[:1]
            add("word_order", "hit", " ".join(w2), e.name, lst=e.list_id)
            k += 1
    for e in people[:45]:
        last, first = e.name.split(",", 1)
        add(
            "person_reordered",
            "hit",
            f"{first.strip()} {last.strip()}",
            e.name,
            typ="person",
            lst=e.list_id,
        )
    for e in orgs[200:240]:
        q = e.name.upper().replace(",", "").replace(".", "")
        q = re.sub(r"\bCO\b", "COMPANY", q)
        q = re.sub(r"\bLTD\b", "LIMITED", q)
        add("case_legal_form", "hit", q, e.name, lst=e.list_id)

    # negatives
    for q in PEERS:
        if not listed(q):
            add(
                "unlisted_peer",
                "no_hit",
                q,
                "",
                country="CN" if not q.isascii() or "China" in q else "",
            )
    for q in SIBLINGS:
        if not listed(q):
            add("sibling", "no_hit", q, "", country="CN")
    parents = []
    for e in entries:
        for p in e.parents:
            if not listed(p):
                parents.append((p, e.name))
    seen_p: set[str] = set()
    for q in PARENTS_HAND:
        add("parent", "related", q, "", country="CN")
        seen_p.add(" ".join(tokens(q)))
    for p, child in parents:
        k2 = " ".join(tokens(p))
        if k2 in seen_p or len(tokens(p)) < 2:
            continue
        seen_p.add(k2)
        add("parent", "related", p, child)
    m = 0
    for e in cn_orgs + orgs:
        if m >= 110:
            break
        toks = e.name.split()
        idx = [
            i
            for i, w in enumerate(toks)
            if w.isalpha()
            and w.istitle()
            and len(w) >= 4
            and w.lower()
            not in {
                "ltd",
                "inc",
                "corp",
                "limited",
                "university",
                "institute",
                "technology",
                "company",
                "corporation",
                "group",
                "academy",
                "research",
                "science",
                "sciences",
                "china",
                "chinese",
                "national",
                "engineering",
                "industry",
                "international",
            }
        ]
        if len(idx) < 1 or len(toks) < 3 or re.search(r"alias|a\.k\.a|\[", e.name):
            continue
        i = rng.choice(idx)
        repl = rng.choice(CITIES + WORDS)
        q = " ".join([*toks[:i], repl, *toks[i + 1 :]])
        if listed(q) or q == e.name:
            continue
        add("similar_name_different_org", "no_hit", q, e.name, lst=e.list_id)
        m += 1
    for e in people[45:85]:
        last, first = e.name.split(",", 1)
        g = rng.choice(GIVEN)
        if g.lower() in first.lower():
            continue
        q = (
            f"{g} {rng.choice(['Chen', 'Novak', 'Santos', 'Kowalski', 'Okafor'])} {last.strip()}"
            if rng.random() < 0.3
            else f"{g} {last.strip()}"
        )
        add("person_same_surname", "no_hit", q, e.name, typ="person", lst=e.list_id)

    w = csv.DictWriter(
        sys.stdout,
        fieldnames=[
            "id",
            "category",
            "expected",
            "query",
            "type",
            "country",
            "target",
            "target_list",
        ],
        lineterminator="\n",
    )
    w.writeheader()
    for i, r in enumerate(rows, 1):
        w.writerow({"id": str(i), **r})


def listed_elsewhere(alias: str, e: object, entries: list[object]) -> bool:
    return False


if __name__ == "__main__":
    main(Path(sys.argv[1]))
