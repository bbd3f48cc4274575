"""A sheet of kit labels to print: kit id, class, and a QR code of them, as PNG or PDF.

``label_sheet(store, "7a", "labels.pdf")`` draws one label per kit of the class's inventory on A4
pages (3 x 8 labels of 70 x 37 mm, the common sticker sheet) at 300 dpi. The QR code holds
``makerkit:CLASS/KIT`` (for example ``makerkit:7a/kit-07``), so a phone or a webcam reading it names
the kit without anyone typing its id. Uses the ``qrcode`` library for the codes and Pillow for the
page (and for the PDF, one page per sheet).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

DPI = 300
PAGE_MM = (210, 297)
LABEL_MM = (70, 37)
COLUMNS, ROWS = 3, 8
MARGIN_TOP_MM = (297 - ROWS * 37) / 2


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def qr_text(class_id: str, kit: str) -> str:
    return f"makerkit:{class_id}/{kit}"


def _font(size: int):
    from PIL import ImageFont
    # a CJK font first, so a class named 七年级（1）班 prints; then DejaVu; then Pillow's own font
    for name in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "NotoSansCJK-Bold.ttc", "msyhbd.ttc",
                 "DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _qr_image(text: str, size: int):
    import qrcode
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    code.add_data(text)
    code.make(fit=True)
    img = code.make_image(fill_color="black", back_color="white").get_image().convert("L")
    return img.resize((size, size), 0)     # nearest neighbour: crisp modules


def _sheets(class_id: str, class_name: str, kits: list[str]):
    from PIL import Image, ImageDraw
    per_page = COLUMNS * ROWS
    big, small = _font(_px(7)), _font(_px(3.2))
    pages = []
    for start in range(0, len(kits), per_page):
        page = Image.new("L", (_px(PAGE_MM[0]), _px(PAGE_MM[1])), 255)
        draw = ImageDraw.Draw(page)
        for i, kit in enumerate(kits[start:start + per_page]):
            col, row = i % COLUMNS, i // COLUMNS
            x, y = _px(col * LABEL_MM[0]), _px(MARGIN_TOP_MM + row * LABEL_MM[1])
            w, h = _px(LABEL_MM[0]), _px(LABEL_MM[1])
            draw.rectangle((x + 4, y + 4, x + w - 4, y + h - 4), outline=200, width=2)   # a cutting guide
            side = h - _px(6)
            page.paste(_qr_image(qr_text(class_id, kit), side), (x + _px(3), y + _px(3)))
            tx = x + _px(3) + side + _px(3)
            draw.text((tx, y + _px(7)), kit, font=big, fill=0)
            draw.text((tx, y + _px(18)), class_id + (f"  {class_name}" if class_name and class_name != class_id else ""),
                      font=small, fill=0)
            draw.text((tx, y + _px(24)), "makerkit", font=small, fill=90)
        pages.append(page)
    return pages


def label_sheet(store, class_id: str, out: str | Path, *, kits: list[str] | None = None) -> dict:
    """Write the labels of the class's kits (or of ``kits``) to ``out`` (``.png``: one file per page,
    ``labels.png``, ``labels-2.png``...; ``.pdf``: one document). Returns ``{"files", "kits", "pages"}``."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".pdf"):
        raise UsageError(en=f"Labels are written as .png or .pdf, not {out.name!r}.",
                         zh=f"标签只能保存为 .png 或 .pdf，不能是 {out.name!r}。",
                         hint_en="Use --out labels.pdf (or labels.png).", hint_zh="请用 --out labels.pdf（或 labels.png）。")
    names = {c["id"]: c.get("name") or "" for c in store.classes()}
    if class_id not in names:
        raise UsageError(en=f"There is no class {class_id!r} in the portfolio.", zh=f"作品集里没有班级 {class_id!r}。",
                         hint_en="Import it first: makerkit class import --db URL --class ID roster.csv",
                         hint_zh="请先导入：makerkit class import --db 数据库 --class 班级 名单.csv")
    inventory = [row["kit"] for row in store.kits(class_id)]
    chosen = inventory if kits is None else [k for k in kits if k in inventory]
    if not chosen:
        raise UsageError(en=f"Class {class_id} has no kits yet, so there is nothing to label.",
                         zh=f"班级 {class_id} 还没有套件，没有可打印的标签。",
                         hint_en="Provision the kits first: makerkit class provision ...",
                         hint_zh="请先配置套件：makerkit class provision ...")
    pages = _sheets(class_id, names[class_id], chosen)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        if suffix == ".pdf":
            pages[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
            files = [str(out)]
        else:
            files = []
            for n, page in enumerate(pages, 1):
                path = out if n == 1 else out.with_name(f"{out.stem}-{n}{out.suffix}")
                page.save(path, "PNG", dpi=(DPI, DPI))
                files.append(str(path))
    except OSError as exc:
        raise UsageError(en=f"The labels could not be written to {out}: {exc.strerror or exc}.",
                         zh=f"标签无法写入 {out}：{exc.strerror or exc}。",
                         hint_en="Check that the folder exists, is writable and the disk is not full.",
                         hint_zh="请检查文件夹是否存在、是否可写，以及磁盘是否已满。") from None
    return {"files": files, "kits": chosen, "pages": len(pages)}


__all__ = ["label_sheet", "qr_text"]
