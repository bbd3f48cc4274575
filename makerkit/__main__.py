"""``python -m makerkit``: the same as the ``makerkit`` command."""

from .cli import main

if __name__ == "__main__":
    main()
