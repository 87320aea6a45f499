"""What an uploaded file really is, judged by its content and never by its name.

Photos (JPEG, PNG, WebP) must open in Pillow and are re-encoded from their pixels, so EXIF
(the GPS position above all), XMP, comments and colour profiles are not kept. PDFs are
recognised by their header; Word and Excel files by the parts their zip must hold, with
limits that stop a small upload unzipping to gigabytes. Everything else is refused: an
executable or a web page renamed .jpg, SVG (it can carry script), plain text, old .doc/.xls.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import Image, ImageOps

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The accepted types and the extensions a name may end with for each; the first is the one
# given to a name whose extension does not match its content.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    JPEG: (".jpg", ".jpeg"),
    PNG: (".png",),
    WEBP: (".webp",),
    PDF: (".pdf",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
}
_ALL_EXTENSIONS = {ext for exts in EXTENSIONS.values() for ext in exts}
# For the file input: extensions for desktop pickers, types so phones offer camera and gallery.
ACCEPT = ",".join([ext for exts in EXTENSIONS.values() for ext in exts] + list(EXTENSIONS))

# A 50-megapixel phone photo passes; decoding one costs about 200 MB of memory.
MAX_IMAGE_PIXELS = 64_000_000
PHOTO_QUALITY = 90
_PILLOW_FORMATS = {JPEG: "JPEG", PNG: "PNG", WEBP: "WEBP"}

# Word and Excel files unzip to a few MB; these stop one that would unzip to gigabytes.
UNZIPPED_MAX_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_FROM_BYTES = 1024 * 1024
ZIP_MAX_MEMBERS = 5_000
CONTENT_TYPES_MAX_BYTES = 256 * 1024
_OFFICE_MAIN_PARTS = {
    DOCX: (
        b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "word/document.xml",
    ),
    XLSX: (
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        "xl/workbook.xml",
    ),
}
_MACRO_MARKERS = (b"macroEnabled", b"vbaProject")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls, and encrypted Office files
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")

MAX_NAME_LENGTH = 120
# Characters that must never reach a name: controls, format characters (the right-to-left
# override turns "photo‮gpj.exe" into "photoexe.jpg" on screen), line and paragraph breaks.
_HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


class UnacceptableFile(Exception):
    """The file is not one of the accepted kinds; the message says why, for the user."""


@dataclass(frozen=True)
class CheckedFile:
    """An accepted upload: the bytes to store (re-encoded for photos) and their type."""

    data: bytes
    content_type: str


def check_content(data: bytes) -> CheckedFile:
    """Decide what ``data`` is from its bytes; photos come back re-encoded without metadata.

    Raises :class:`UnacceptableFile` for anything that is not a photo, PDF, DOCX or XLSX.
    """
    if data.startswith(b"\xff\xd8\xff"):
        return _clean_photo(data, JPEG)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _clean_photo(data, PNG)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _clean_photo(data, WEBP)
    if _PDF_HEADER.match(data):
        return CheckedFile(data, PDF)
    if data.startswith(b"PK\x03\x04"):
        return CheckedFile(data, _office_type(data))
    if data.startswith(_OLE_MAGIC):
        raise UnacceptableFile(
            _(
                "旧版 Word/Excel 文件（.doc、.xls）或加了密码的文件不能上传，"
                "请另存为 .docx 或 .xlsx（不设密码）后再上传。"
            )
        )
    raise UnacceptableFile(unsupported_message())


def unsupported_message() -> str:
    return _(
        "不支持这种文件。只能上传照片（JPG、PNG、WebP）、PDF、Word（.docx）或 Excel（.xlsx）；"
        "系统按文件内容识别类型，只改扩展名无效。"
    )


# The IEND chunk, whole (length, type, CRC), that closes every complete PNG file.
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
_JPEG_SCAN, _JPEG_END = b"\xff\xda", b"\xff\xd9"


def is_whole(data: bytes, content_type: str) -> bool:
    """Whether a photo's file ends where its format says, so it was not cut short in sending.

    Checked here rather than left to Pillow: it decodes a PNG cut after its pixels, and a
    library that the PDF export imports (WeasyPrint) tells it to accept any file cut short
    (ImageFile.LOAD_TRUNCATED_IMAGES), for every image the process decodes afterwards.
    """
    if content_type == PNG:
        return _PNG_END in data
    if content_type == JPEG:
        # In the compressed data every 0xFF byte is followed by 0x00, so 0xFF 0xD9 after the
        # first scan is the end-of-image marker (anything a phone appends after it is fine).
        scan = data.find(_JPEG_SCAN)
        return scan >= 0 and data.find(_JPEG_END, scan) >= 0
    if content_type == WEBP:
        return len(data) >= 12 and int.from_bytes(data[4:8], "little") + 8 <= len(data)
    return True


def _clean_photo(data: bytes, content_type: str) -> CheckedFile:
    """Open the photo, turn it upright, and encode its pixels again with no metadata."""
    fmt = _PILLOW_FORMATS[content_type]
    too_many_pixels = UnacceptableFile(
        _("照片像素过多（超过 %(n)s 万像素），请缩小后再上传。", n=MAX_IMAGE_PIXELS // 10_000)
    )
    if not is_whole(data, content_type):
        raise UnacceptableFile(
            _("照片无法打开，可能已损坏或不是真正的图片。请重新拍摄或导出后再上传。")
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise too_many_pixels
            image.load()
            upright = ImageOps.exif_transpose(image)
    except UnacceptableFile:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise too_many_pixels from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise UnacceptableFile(
            _("照片无法打开，可能已损坏或不是真正的图片。请重新拍摄或导出后再上传。")
        ) from exc

    if "transparency" in upright.info and upright.mode not in ("RGBA", "LA"):
        upright = upright.convert("RGBA")  # keep a palette's transparency as an alpha channel
    # Encoders copy some of ``info`` (JPEG comments, XMP, ICC profiles) into the new file.
    upright.info = {}
    out = io.BytesIO()
    if content_type == JPEG:
        if upright.mode not in ("L", "RGB", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, "JPEG", quality=PHOTO_QUALITY)
    elif content_type == PNG:
        upright.save(out, "PNG")
    else:
        if upright.mode not in ("RGB", "RGBA"):
            upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
        upright.save(out, "WEBP", quality=PHOTO_QUALITY)
    return CheckedFile(out.getvalue(), content_type)


def _office_type(data: bytes) -> str:
    """DOCX or XLSX, from the zip's [Content_Types].xml and main part; nothing is unzipped
    but that small index."""
    too_big = _("文件异常（解压后过大），已拒绝。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > ZIP_MAX_MEMBERS:
                raise UnacceptableFile(too_big)
            if sum(m.file_size for m in members) > UNZIPPED_MAX_BYTES or any(
                m.file_size > ZIP_RATIO_FROM_BYTES
                and m.file_size > ZIP_MAX_RATIO * max(m.compress_size, 1)
                for m in members
            ):
                raise UnacceptableFile(too_big)
            if any(m.flag_bits & 0x1 for m in members):  # an encrypted member
                raise UnacceptableFile(unsupported_message())
            names = {m.filename for m in members}
            index = archive.getinfo("[Content_Types].xml")
            if index.file_size > CONTENT_TYPES_MAX_BYTES:
                raise UnacceptableFile(unsupported_message())
            with archive.open(index) as handle:
                content_types = handle.read(CONTENT_TYPES_MAX_BYTES + 1)
    except UnacceptableFile:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
        RuntimeError,
    ) as exc:
        raise UnacceptableFile(unsupported_message()) from exc

    if any(marker in content_types for marker in _MACRO_MARKERS) or any(
        name.lower().endswith("vbaproject.bin") for name in names
    ):
        raise UnacceptableFile(
            _("不接受带宏的 Office 文件（.docm、.xlsm），请另存为 .docx 或 .xlsx 后再上传。")
        )
    for content_type, (main_type, main_part) in _OFFICE_MAIN_PARTS.items():
        if main_type in content_types and main_part in names:
            return content_type
    raise UnacceptableFile(unsupported_message())


def display_name(filename: str | None, content_type: str, default: str) -> str:
    """The uploaded name made safe to show and to send back: no folders, no hidden or control
    characters, at most MAX_NAME_LENGTH characters, and an extension that matches the content
    (so a PDF named .html is never saved as a web page on the reader's computer)."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch.isspace() or unicodedata.category(ch) not in _HIDDEN_CATEGORIES
    )
    name = " ".join(name.split()).rstrip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    allowed = EXTENSIONS[content_type]
    if "." + extension.lower() in allowed:
        extension = "." + extension
    elif "." + extension.lower() in _ALL_EXTENSIONS:
        extension = allowed[0]  # photo.png that is really a JPEG: photo.jpg
    else:
        stem, extension = name, allowed[0]  # 报告.html that is really a PDF: 报告.html.pdf
    stem = stem.strip(" .") or default
    return stem[: MAX_NAME_LENGTH - len(extension)].rstrip(" .") + extension
