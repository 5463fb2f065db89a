"""The Chinese catalogue compiled when the package is built: the .po in the repository
becomes the .mo that an installed zhaoshang reads (zhaoshang_cli/i18n.py).  Everything
else about the package is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUE = Path("zhaoshang_cli") / "locale" / "zh_CN" / "LC_MESSAGES" / "zhaoshang.po"


class BuildWithCatalogue(build_py):
    def run(self) -> None:
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with CATALOGUE.open("rb") as source:
            catalogue = read_po(source, locale="zh_CN", domain="zhaoshang")
        # an editable install reads the package where it lies: the .mo goes beside the .po
        root = Path(self.build_lib) if not getattr(self, "editable_mode", False) else Path()
        target = root / CATALOGUE.with_suffix(".mo")
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as compiled:
            write_mo(compiled, catalogue)


setup(cmdclass={"build_py": BuildWithCatalogue})
