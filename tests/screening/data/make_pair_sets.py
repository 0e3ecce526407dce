"""Generate the IN-SAMPLE labelled pair sets (run by hand; output committed; deterministic).

    .venv/bin/python tests/screening/data/make_pair_sets.py /work/shared/data/lists

Names of listed parties (US-government lists: public domain) are taken one at a time from the
lists and varied by rule (order, initials, dropped/extra parts, transliteration, typos, legal
forms, abbreviations, bracketed acronyms, Chinese script); hand tables add Chinese and Russian
names and sibling institutions.  The matching rules were tuned on these pairs, so figures on
them are IN-SAMPLE.  The held-out sets (persons_heldout.csv, orgs_heldout.csv) are written by
hand and are not produced here.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

from detente import registry
from detente.screening.loaders import detect_source
from detente.screening.registry import load_registry

HERE = Path(__file__).parent
rng = random.Random(20261202)

CN_SURNAMES = [
    ("张", "Zhang"), ("王", "Wang"), ("李", "Li"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"),
    ("黄", "Huang"), ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"),
    ("马", "Ma"), ("朱", "Zhu"), ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("林", "Lin"),
    ("高", "Gao"), ("罗", "Luo"),
]  # fmt: skip
CN_GIVEN = [
    ("伟", "Wei"), ("明", "Ming"), ("华", "Hua"), ("军", "Jun"), ("磊", "Lei"), ("强", "Qiang"),
    ("洋", "Yang"), ("勇", "Yong"), ("静", "Jing"), ("丽", "Li"), ("敏", "Min"), ("杰", "Jie"),
    ("涛", "Tao"), ("斌", "Bin"), ("超", "Chao"), ("鹏", "Peng"), ("宇", "Yu"), ("浩", "Hao"),
    ("婷", "Ting"), ("峰", "Feng"), ("建", "Jian"), ("国", "Guo"), ("志", "Zhi"), ("海", "Hai"),
]  # fmt: skip
# same pinyin, other characters (a different name in its own script)
HOMOPHONES = {"张": "章", "王": "汪", "李": "黎", "刘": "柳", "陈": "沉", "杨": "阳", "伟": "维",
              "明": "鸣", "华": "桦", "军": "君", "静": "晶", "敏": "民", "杰": "洁"}  # fmt: skip
RU_FIRST = [
    ("Владимир", ["Vladimir"]), ("Сергей", ["Sergey", "Sergei"]), ("Алексей", ["Aleksey", "Alexei"]),
    ("Дмитрий", ["Dmitry", "Dmitriy"]), ("Игорь", ["Igor"]), ("Олег", ["Oleg"]),
    ("Николай", ["Nikolay", "Nikolai"]), ("Андрей", ["Andrey", "Andrei"]),
    ("Михаил", ["Mikhail"]), ("Евгений", ["Evgeny", "Yevgeny"]), ("Юрий", ["Yury", "Yuri"]),
    ("Александр", ["Aleksandr", "Alexander"]),
]  # fmt: skip
RU_LAST = [
    ("Иванов", "Ivanov"), ("Петров", "Petrov"), ("Смирнов", "Smirnov"), ("Кузнецов", "Kuznetsov"),
    ("Попов", "Popov"), ("Соколов", "Sokolov"), ("Лебедев", "Lebedev"), ("Козлов", "Kozlov"),
    ("Новиков", "Novikov"), ("Морозов", "Morozov"), ("Волков", "Volkov"), ("Зайцев", "Zaytsev"),
]  # fmt: skip
TRANSLIT = [
    ("mohammed", "muhammad"), ("mohamed", "mohammad"), ("muhammad", "mohamed"),
    ("ahmed", "ahmad"), ("ahmad", "ahmed"), ("hassan", "hasan"), ("hussein", "husayn"),
    ("husain", "hussein"), ("yusuf", "yousef"), ("abdul", "abdel"), ("abdel", "abd al"),
    ("mahmoud", "mahmud"), ("mustafa", "mostafa"), ("said", "saeed"), ("hamid", "hameed"),
    ("ali ", "aly "), ("ov ", "ev "), ("iy", "y"), ("ei", "ey"), ("kh", "h"), ("ou", "u"),
    ("ee", "i"), ("q", "k"), ("j", "dj"),
]  # fmt: skip
CITIES = [
    ("北京", "Beijing"), ("上海", "Shanghai"), ("天津", "Tianjin"), ("重庆", "Chongqing"),
    ("南京", "Nanjing"), ("武汉", "Wuhan"), ("广州", "Guangzhou"), ("杭州", "Hangzhou"),
    ("成都", "Chengdu"), ("大连", "Dalian"), ("沈阳", "Shenyang"), ("长沙", "Changsha"),
    ("合肥", "Hefei"), ("济南", "Jinan"), ("青岛", "Qingdao"), ("郑州", "Zhengzhou"),
    ("昆明", "Kunming"), ("兰州", "Lanzhou"), ("南昌", "Nanchang"), ("福州", "Fuzhou"),
    ("厦门", "Xiamen"), ("苏州", "Suzhou"), ("西安", "Xi'an"), ("哈尔滨", "Harbin"),
    ("长春", "Changchun"), ("太原", "Taiyuan"), ("贵州", "Guizhou"), ("云南", "Yunnan"),
]  # fmt: skip
UNI_TYPES = [
    ("大学", "{c} University"), ("师范大学", "{c} Normal University"),
    ("医科大学", "{c} Medical University"), ("工业大学", "{c} University of Technology"),
    ("科技大学", "{c} University of Science and Technology"),
    ("交通大学", "{c} Jiaotong University"), ("农业大学", "{c} Agricultural University"),
    ("财经大学", "{c} University of Finance and Economics"),
    ("外国语大学", "{c} Foreign Studies University"),
    ("邮电大学", "{c} University of Posts and Telecommunications"),
    ("林业大学", "{c} Forestry University"),
]  # fmt: skip
ABBREV = [
    ("University", "Univ."), ("Institute", "Inst."), ("Technology", "Tech."),
    ("Academy", "Acad."), ("Sciences", "Sci."), ("Science", "Sci."), ("Laboratory", "Lab."),
    ("Artificial Intelligence", "AI"), ("International", "Intl."), ("National", "Natl."),
    ("Company", "Co."), ("Limited", "Ltd."), ("Corporation", "Corp."),
]  # fmt: skip
LEGAL = [
    ("Co., Ltd.", ["Company Limited", "Co. Ltd", "Co Ltd"]),
    ("Company Limited", ["Co., Ltd.", "Ltd."]),
    ("Corporation", ["Corp.", "Corp"]),
    ("Limited", ["Ltd", "Ltd."]),
    ("LLC", ["Limited Liability Company"]),
    ("JSC", ["Joint Stock Company"]),
    ("Joint Stock Company", ["JSC"]),
    ("Inc.", ["Incorporated", "Inc"]),
]  # fmt: skip
DESCRIPTORS = ["Technology", "Robotics", "Intelligent Technology", "Digital Technology",
               "Information Technology", "Electronics", "Holdings"]  # fmt: skip
WORDS = ["Apex", "Summit", "Swift", "Delta", "Orion", "Nova", "Star", "Vector", "Atlas", "Prime",
         "Pioneer", "Beacon", "Horizon", "Phoenix", "Zenith", "Eagle", "Falcon", "Frontier",
         "Harbor", "Liberty", "Titan", "Unity", "Vista", "Matrix", "Spark", "Pulse", "Crest",
         "Quest", "Core", "Link"]  # fmt: skip
GIVEN_ALT = ["John", "Peter", "Ali", "Omar", "Ivan", "Maria", "Anna", "Ahmad", "Hassan", "Yusuf",
             "Sergey", "Elena", "Karim", "Samir", "Nadia", "Fatima", "Igor", "Olga", "Khalid"]  # fmt: skip


def typo(s: str) -> str | None:
    words = s.split()
    cand = [i for i, w in enumerate(words) if len(w) >= 6 and w.isalpha()]
    if not cand:
        return None
    i = rng.choice(cand)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    op = rng.choice(["del", "swap", "sub"])
    if op == "del":
        w = w[:j] + w[j + 1 :]
    elif op == "swap":
        w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    else:
        w = w[:j] + rng.choice("aeiou") + w[j + 1 :]
    words[i] = w
    return " ".join(words)


def load_entries(root: Path) -> list[object]:
    reg = load_registry()
    groups: dict[str, dict[str, bytes]] = {}
    for p in sorted(root.glob("*/*")):
        if p.name == "SOURCE.md":
            continue
        try:
            sid = detect_source(p)
        except Exception:  # a folder this checkout cannot read yet
            continue
        if sid.startswith(("ofac", "dod", "bis_entity", "trade_gov", "ndaa")):
            groups.setdefault(sid, {})[p.name] = p.read_bytes()
    out: list[object] = []
    for sid, files in sorted(groups.items()):
        out.extend(registry.get("list_loader", reg.source(sid).format).load(files, sid).entries)
    return out


def split_person(name: str) -> tuple[list[str], str] | None:
    """'SURNAME, Given Names' -> (given parts, surname) in title case."""
    if "," not in name:
        return None
    last, _, first = name.partition(",")
    given = [g for g in re.split(r"\s+", first.strip()) if g.isalpha()]
    last = last.strip()
    if not given or not re.fullmatch(r"[A-Za-z' \-]+", last) or len(last) < 3:
        return None
    return [g.title() for g in given], last.title()


def persons(entries: list[object]) -> list[tuple[int, str, str, str]]:
    rows: list[tuple[int, str, str, str]] = []
    people = []
    for e in entries:
        if getattr(e, "schema", "") != "person":
            continue
        sp = split_person(e.name)  # type: ignore[attr-defined]
        if sp:
            people.append((e.name, tuple(sp[0]), sp[1]))  # type: ignore[attr-defined]
    people = sorted(set(people))
    rng.shuffle(people)
    by_last: dict[str, list[tuple[str, tuple[str, ...], str]]] = {}
    for p in people:
        by_last.setdefault(p[2], []).append(p)
    for listed, given, last in people[:150]:
        full = " ".join([*given, last])
        kind = rng.choice(["order", "initials", "drop", "translit", "typo", "extra"])
        if kind == "order":
            rows.append((1, full, listed, "order_format"))
        elif kind == "initials":
            rows.append((1, f"{given[0][0]}. {last}", listed, "initials"))
        elif kind == "drop" and len(given) >= 2:
            rows.append((1, f"{given[0]} {last}", listed, "extra_parts"))
        elif kind == "extra":
            rows.append((1, f"{given[0]} {rng.choice(['Ali', 'Mohammad', 'Ivanovich', 'Jose'])} "
                         f"{' '.join(given[1:])} {last}".replace("  ", " "), listed,
                         "extra_parts"))  # fmt: skip
        elif kind == "translit":
            low = full.lower() + " "
            for x, y in TRANSLIT:
                if x in low:
                    rows.append(
                        (1, low.replace(x, y, 1).strip().title(), listed, "transliteration")
                    )
                    break
            else:
                rows.append((1, full.upper(), listed, "order_format"))
        else:
            t = typo(full)
            if t:
                rows.append((1, t, listed, "typo"))
    # negatives: same surname, other given names (another listed person, or an invented one)
    n_neg = 0
    for last, group in sorted(by_last.items()):
        if len(group) >= 2 and n_neg < 70:
            a, b = group[0], group[1]
            if a[1][0].lower() != b[1][0].lower():
                rows.append((0, " ".join([*a[1], last]), b[0], "same_surname"))
                n_neg += 1
    for listed, given, last in people[150:230]:
        alt = rng.choice([g for g in GIVEN_ALT if g[0] != given[0][0]])
        rows.append((0, f"{alt} {last}", listed, "same_surname"))
        other = rng.choice(people)
        if other[2] != last:
            rows.append((0, f"{given[0]} {other[2]}", listed, "same_given"))
    # Chinese names in both scripts
    for _ in range(60):
        sc, sp = rng.choice(CN_SURNAMES)
        gs = rng.sample(CN_GIVEN, rng.choice([1, 2]))
        gc = "".join(c for c, _ in gs)
        gp = "".join(p for _, p in gs).title()
        form = rng.choice([f"{sp} {gp}", f"{gp} {sp}", f"{sp.upper()}, {gp}",
                           f"{sp} {'-'.join(p for _, p in gs)}"])  # fmt: skip
        rows.append((1, form, sc + gc, "script_cjk"))
        other = rng.choice([g for g in CN_GIVEN if g not in gs])
        rows.append((0, f"{sp} {other[1]}", sc + gc, "same_surname_cjk"))
        if gc[0] in HOMOPHONES:
            rows.append((0, sc + HOMOPHONES[gc[0]] + gc[1:], sc + gc, "native_disagree"))
        elif len(gs) == 2:
            rows.append((0, f"{sp} {gs[0][1]}", f"{sp} {gp}", "same_surname"))
    # Russian names in both scripts
    for _ in range(25):
        (fc, fl), (lc, ll) = rng.choice(RU_FIRST), rng.choice(RU_LAST)
        rows.append((1, f"{rng.choice(fl)} {ll}", f"{fc} {lc}", "script_cyrillic"))
        (_oc, ol) = rng.choice([x for x in RU_FIRST if x[0] != fc])
        rows.append((0, f"{ol[0]} {ll}", f"{fc} {lc}", "same_surname_cyrillic"))
    return rows


def orgs(entries: list[object]) -> list[tuple[int, str, str, str]]:
    rows: list[tuple[int, str, str, str]] = []
    # sibling institutions (both scripts)
    for cc, ce in CITIES:
        types = rng.sample(UNI_TYPES, 4)
        (t1c, t1e), (t2c, t2e), (t3c, t3e), (_t4c, t4e) = types
        rows.append((1, cc + t1c, t1e.format(c=ce), "script_cjk"))
        rows.append((0, cc + t2c, t1e.format(c=ce), "sibling_cross_script"))
        rows.append((0, t2e.format(c=ce), t1e.format(c=ce), "sibling"))
        rows.append((0, t3e.format(c=ce), f"{ce} University", "sibling"))
        rows.append((0, cc + t3c, cc + "大学", "sibling_cjk"))
        abbr = t4e.format(c=ce).replace("University", "Univ.").replace("Technology", "Tech.")
        rows.append((1, abbr, t4e.format(c=ce), "abbreviation"))
    # acronyms that are ordinary words vs companies whose name begins with the word
    for w in WORDS:
        rows.append((0, w.upper(), f"{w} {rng.choice(['Trading', 'Industrial', 'Logistics'])} "
                     f"{rng.choice(['Co., Ltd.', 'Limited', 'LLC'])}", "acronym_word"))  # fmt: skip
    orgs_ = sorted(
        {e.name for e in entries if getattr(e, "schema", "") == "org" and e.name.isascii()}  # type: ignore[attr-defined]
    )
    rng.shuffle(orgs_)
    for name in orgs_[:200]:
        kind = rng.choice(["legal", "abbrev", "bracket", "typo", "descriptor", "core"])
        if kind == "legal":
            for x, ys in LEGAL:
                if name.upper().endswith(x.upper()):
                    rows.append((1, name[: -len(x)] + rng.choice(ys), name, "legal_form"))
                    break
            else:
                kind = "abbrev"
        if kind == "abbrev":
            for x, y in ABBREV:
                if x in name:
                    rows.append((1, name.replace(x, y), name, "abbreviation"))
                    break
            else:
                kind = "typo"
        if kind == "bracket":
            words = [
                w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in {"of", "and", "the"}
            ]
            if len(words) >= 3:
                rows.append((1, f"{name} ({''.join(w[0] for w in words).upper()})", name,
                             "bracketed"))  # fmt: skip
            else:
                kind = "typo"
        if kind == "typo":
            t = typo(name)
            if t:
                rows.append((1, t, name, "typo"))
        if kind in {"descriptor", "core"}:
            words = name.split()
            if 1 <= len(words) <= 3 and all(w.isalpha() for w in words):
                rows.append((1, f"{name} {rng.choice(DESCRIPTORS)}", name, "core_descriptors"))
    # different listed organisations that share their first distinctive word
    by_first: dict[str, list[str]] = {}
    for n in orgs_:
        w = n.split()[0].lower()
        if len(w) >= 4 and w not in {"china", "chinese", "beijing", "shanghai", "the"}:
            by_first.setdefault(w, []).append(n)
    n_neg = 0
    for _w, names in sorted(by_first.items()):
        if len(names) >= 2 and n_neg < 90:
            a, b = names[0], names[1]
            sa = set(re.findall(r"[a-z]+", a.lower()))
            sb = set(re.findall(r"[a-z]+", b.lower()))
            if len(sa ^ sb) >= 2 and not (sa <= sb or sb <= sa):
                rows.append((0, a, b, "shares_first_word"))
                n_neg += 1
    return rows


def write(path: Path, rows: list[tuple[int, str, str, str]]) -> None:
    seen: set[tuple[str, str]] = set()
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["label", "a", "b", "category"])
        for label, a, b, cat in rows:
            if (a, b) in seen or (a == b and label == 0):
                continue
            seen.add((a, b))
            w.writerow([label, a, b, cat])


def main(root: Path) -> None:
    entries = load_entries(root)
    write(HERE / "persons_insample.csv", persons(entries))
    write(HERE / "orgs_insample.csv", orgs(entries))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
