"""The ``detente`` command line: a thin layer over the library."""
