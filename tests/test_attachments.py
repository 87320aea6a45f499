"""Photos and documents on activities: checked by content, stored outside static without
photo metadata, downloaded only by who may see the activity, changed only while editable."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from PIL import Image

from tracker.config import ConfigError
from tracker.enums import ActivityStatus
from tracker.extensions import db
from tracker.models import Activity, Attachment, AuditEntry, Delegate

from . import factories

REFUSED = "不支持这种文件"
GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def app_config(request, tmp_path):
    """Files go to this test's own folder; a test may add settings with indirect parametrize."""
    return {"ATTACHMENT_FOLDER": str(tmp_path / "attachments"), **getattr(request, "param", {})}


@pytest.fixture
def folder(app) -> Path:
    return Path(app.config["ATTACHMENT_FOLDER"])


def stored_files(folder: Path) -> list[Path]:
    """Everything in the attachment folder, temporary files included."""
    return sorted(folder.iterdir()) if folder.exists() else []


def make_activity(app, delegate_id: int, status=ActivityStatus.DRAFT, title="带附件的记录") -> int:
    with app.app_context():
        activity = factories.make_activity(
            db.session.get(Delegate, delegate_id), status=status, title=title
        )
        db.session.commit()
        return activity.id


def set_status(app, activity_id: int, status: ActivityStatus) -> None:
    with app.app_context():
        db.session.get(Activity, activity_id).status = status
        db.session.commit()


def attachments(app) -> list[Attachment]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(Attachment).order_by(Attachment.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def upload(client, activity_id: int, data: bytes, filename: str):
    return client.post(
        f"/attachments/activity/{activity_id}",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


# --- files to upload -------------------------------------------------------------------------


def jpeg_with_gps(size=(40, 20)) -> bytes:
    """A photo as a phone takes it: GPS position, camera model, turned by the Orientation tag."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # stored on its side; shown turned 90° clockwise
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (36.0, 3.0, 30.0), 3: "E", 4: (103.0, 50.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", exif=exif, comment=b"home address")
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)[2] == (36.0, 3.0, 30.0)
    return data


def png() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (36.0, 3.0, 30.0)}
    Image.new("RGBA", (8, 8), (0, 128, 0, 128)).save(out, "PNG", exif=exif)
    return out.getvalue()


def webp() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, "WEBP")
    return out.getvalue()


def pdf() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, "PDF")
    return out.getvalue()


def docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_paragraph("走访情况记录")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "走访名单"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def macro_docm() -> bytes:
    """A .docx with Word's macro part type and a VBA project."""
    source = zipfile.ZipFile(io.BytesIO(docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    b"application/vnd.ms-word.document.macroEnabled.main+xml",
                )
            target.writestr(item, data)
        target.writestr("word/vbaProject.bin", b"\x00" * 64)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    """A real-looking .docx with one part that unzips to 300 MB from a few hundred KB."""
    source = zipfile.ZipFile(io.BytesIO(docx()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        with target.open("word/media/padding.bin", "w", force_zip64=True) as part:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(300):
                part.write(chunk)
    return out.getvalue()


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
TEXT = "这不是图片，只是一段文字。".encode()
FAKE_JPEG = b"\xff\xd8\xff\xe0" + "只有开头像 JPEG，其余是文字".encode() * 20


# --- accepted ---------------------------------------------------------------------------------


def test_photo_is_stored_upright_without_exif_gps_or_comment(app, client, auth, world, folder):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    original = jpeg_with_gps()
    response = upload(client, activity_id, original, "走访照片.jpg")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/activities/{activity_id}#attachments")

    [row] = attachments(app)
    stored = (folder / row.stored_name).read_bytes()
    assert stored != original
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info and "comment" not in image.info
    assert b"Exif\x00\x00" not in stored
    assert b"PhoneMaker" not in stored and b"home address" not in stored
    assert image.size == (20, 40)  # the orientation was applied before the tag was dropped
    assert row.content_type == "image/jpeg"
    assert row.size == len(stored)
    assert row.sha256 == hashlib.sha256(stored).hexdigest()
    assert row.original_name == "走访照片.jpg"


@pytest.mark.parametrize(
    ("make", "filename", "content_type", "shown"),
    [
        (png, "截图.png", "image/png", "图片（PNG）"),
        (webp, "photo.webp", "image/webp", "图片（WebP）"),
        (pdf, "调研报告.pdf", "application/pdf", "PDF 文档"),
        (
            docx,
            "走访记录.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word 文档",
        ),
        (
            xlsx,
            "名单.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel 表格",
        ),
    ],
)
def test_png_webp_pdf_docx_and_xlsx_are_accepted(
    app, client, auth, world, folder, make, filename, content_type, shown
):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    assert upload(client, activity_id, make(), filename).status_code == 302
    [row] = attachments(app)
    assert row.content_type == content_type
    assert row.original_name == filename
    assert [p.name for p in stored_files(folder)] == [row.stored_name]
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert filename in page and shown in page
    assert f'href="/attachments/{row.id}"' in page


def test_png_loses_its_exif_too(app, client, auth, world, folder):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    upload(client, activity_id, png(), "截图.png")
    [row] = attachments(app)
    image = Image.open(folder / row.stored_name)
    assert dict(image.getexif()) == {}
    assert image.mode == "RGBA"


def test_a_file_over_the_global_request_limit_but_under_the_attachment_limit_is_accepted(
    app, client, auth, world
):
    assert app.config["MAX_CONTENT_LENGTH"] < 3 * 1024 * 1024 < app.config["ATTACHMENT_MAX_BYTES"]
    big_pdf = pdf() + b"%" + b"0" * (3 * 1024 * 1024)
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    assert upload(client, activity_id, big_pdf, "扫描件.pdf").status_code == 302
    assert attachments(app)[0].size == len(big_pdf)


# --- refused ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (EXE, "照片.jpg", REFUSED),
        (HTML, "照片.jpg", REFUSED),
        (HTML, "page.html", REFUSED),
        (SVG, "图标.svg", REFUSED),
        (TEXT, "照片.jpg", REFUSED),
        (FAKE_JPEG, "照片.jpg", "照片无法打开"),
        (plain_zip(), "文档.docx", REFUSED),
        (macro_docm(), "宏.docx", "不接受带宏的 Office 文件"),
        (zip_bomb_docx(), "大文档.docx", "解压后过大"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "旧版.doc", "旧版 Word/Excel"),
        (b"", "空.jpg", "文件是空的"),
        (png()[:-12], "截断.png", "照片无法打开"),  # pixels whole, closing chunk cut off
        (png()[:-2], "截断2.png", "照片无法打开"),
        (jpeg_with_gps()[:-2], "截断.jpg", "照片无法打开"),
        (webp()[:-10], "截断.webp", "照片无法打开"),
    ],
    ids=[
        "exe-as-jpg",
        "html-as-jpg",
        "html",
        "svg",
        "text-as-jpg",
        "text-with-jpeg-magic",
        "plain-zip-as-docx",
        "docm",
        "zip-bomb",
        "old-doc",
        "empty",
        "png-without-its-end",
        "png-cut-in-its-end",
        "jpeg-cut",
        "webp-cut",
    ],
)
def test_files_that_are_not_what_we_accept_are_refused_and_nothing_is_stored(
    app, client, auth, world, folder, data, filename, message
):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    response = upload(client, activity_id, data, filename)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="attachment-file-error"' in page  # next to the file field
    assert attachments(app) == []
    assert stored_files(folder) == []


def pixel_flood_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A few dozen bytes whose header claims 900 million pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(
    app, client, auth, world, folder, monkeypatch
):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    response = upload(client, activity_id, pixel_flood_png(), "flood.png")
    assert response.status_code == 400
    assert "照片像素过多（超过 6400 万像素）" in response.get_data(as_text=True)
    monkeypatch.setattr("tracker.attachments.content.MAX_IMAGE_PIXELS", 799)
    response = upload(client, activity_id, jpeg_with_gps(size=(40, 20)), "大图.jpg")
    assert response.status_code == 400
    assert "照片像素过多" in response.get_data(as_text=True)
    assert attachments(app) == [] and stored_files(folder) == []


def test_posting_without_a_file_asks_for_one(app, client, auth, world, folder):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    response = client.post(
        f"/attachments/activity/{activity_id}", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "请选择要上传的文件" in response.get_data(as_text=True)
    assert attachments(app) == []


@pytest.mark.parametrize("app_config", [{"ATTACHMENT_MAX_BYTES": 50_000}], indirect=True)
def test_a_file_over_the_attachment_limit_is_refused(app, client, auth, world, folder):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    slightly_over = pdf() + b"0" * 50_000  # within the request's envelope allowance
    response = upload(client, activity_id, slightly_over, "大.pdf")
    assert response.status_code == 413
    assert "文件超过 48.8 KB" in response.get_data(as_text=True)
    assert attachments(app) == [] and stored_files(folder) == []


@pytest.mark.parametrize("app_config", [{"ATTACHMENT_MAX_BYTES": 50_000}], indirect=True)
def test_a_request_far_over_the_limit_gets_the_activity_page_with_a_message(
    app, client, auth, world, folder
):
    activity_id = make_activity(app, world.delegate_a, title="我的记录")
    auth.login("dele_a")
    response = upload(client, activity_id, pdf() + b"0" * 500_000, "很大.pdf")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "文件超过 48.8 KB" in page
    assert "我的记录" in page  # the activity's own page, not a bare error page
    assert attachments(app) == [] and stored_files(folder) == []


@pytest.mark.parametrize("app_config", [{"ATTACHMENT_MAX_PER_ACTIVITY": 2}], indirect=True)
def test_an_activity_holds_at_most_the_configured_number_of_files(app, client, auth, world, folder):
    activity_id = make_activity(app, world.delegate_a)
    other_id = make_activity(app, world.delegate_a, title="另一条")
    auth.login("dele_a")
    assert upload(client, activity_id, pdf(), "一.pdf").status_code == 302
    assert upload(client, activity_id, pdf(), "二.pdf").status_code == 302
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert 'name="file"' not in page
    assert "已有 2 个附件，达到上限" in page

    response = upload(client, activity_id, pdf(), "三.pdf")
    assert response.status_code == 400
    assert "每条记录最多 2 个附件" in response.get_data(as_text=True)
    assert [a.original_name for a in attachments(app)] == ["一.pdf", "二.pdf"]
    assert len(stored_files(folder)) == 2
    # the cap is per activity
    assert upload(client, other_id, pdf(), "三.pdf").status_code == 302


# --- names ------------------------------------------------------------------------------------


def test_a_chinese_name_comes_back_in_content_disposition(app, client, auth, world):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    upload(client, activity_id, jpeg_with_gps(), "走访照片（一）.jpg")
    [row] = attachments(app)
    response = client.get(f"/attachments/{row.id}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('走访照片（一）.jpg')}" in disposition
    assert f"filename=attachment-{row.id}.jpg;" in disposition


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("/home/user/走访\x00照片.jpg", "走访照片.jpg"),
        ("../../etc/passwd.jpg", "passwd.jpg"),
        ("photo\u202egpj.exe.jpg", "photogpj.exe.jpg"),
        ("截图.png", "截图.jpg"),  # a JPEG under a PNG name gets the right extension
        ("report.html", "report.html.jpg"),
        ("  .jpg", "附件.jpg"),
        ("长" * 300 + ".jpg", "长" * 116 + ".jpg"),
    ],
)
def test_the_original_name_is_cleaned_for_display_and_download(
    app, client, auth, world, sent, kept
):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    assert upload(client, activity_id, jpeg_with_gps(), sent).status_code == 302
    assert attachments(app)[0].original_name == kept


def test_a_windows_path_keeps_only_the_file_name():
    from tracker.attachments.content import PDF, display_name

    assert display_name("C:\\fakepath\\调研\t报告.PDF", PDF, "附件") == "调研 报告.PDF"


def test_a_name_with_markup_is_shown_as_text(app, client, auth, world):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    upload(client, activity_id, pdf(), '<img src=x onerror="alert(1)">.pdf')
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=" in page


# --- who may download -------------------------------------------------------------------------


def uploaded(app, client, auth, world, delegate_id=None, login="dele_a") -> tuple[int, int]:
    activity_id = make_activity(app, delegate_id or world.delegate_a)
    auth.login(login)
    assert upload(client, activity_id, pdf(), "材料.pdf").status_code == 302
    auth.logout()
    return activity_id, attachments(app)[-1].id


def test_download_is_404_for_another_delegate_and_staff_of_another_delegation(
    app, client, auth, world
):
    activity_id, attachment_id = uploaded(app, client, auth, world)
    set_status(app, activity_id, ActivityStatus.SUBMITTED)
    auth.login("dele_a2")  # same delegation, another delegate
    assert client.get(f"/attachments/{attachment_id}").status_code == 404
    auth.logout()
    auth.login("dele_b")
    assert client.get(f"/attachments/{attachment_id}").status_code == 404
    auth.logout()
    # staff of 七里河区, for an entry of 城关区
    with app.app_context():
        from tracker.models import User

        staff = db.session.scalar(sa.select(User).where(User.username == "staff_a"))
        staff.delegation_id = factories.delegation("qilihe").id
        db.session.commit()
    auth.login("staff_a")
    assert client.get(f"/attachments/{attachment_id}").status_code == 404
    assert client.get("/attachments/999999").status_code == 404


def test_download_is_200_for_the_owner_and_staff_in_scope(app, client, auth, world):
    activity_id, attachment_id = uploaded(app, client, auth, world)
    auth.login("dele_a")
    assert client.get(f"/attachments/{attachment_id}").status_code == 200
    auth.logout()
    auth.login("staff_a")
    assert client.get(f"/attachments/{attachment_id}").status_code == 404  # still a draft
    set_status(app, activity_id, ActivityStatus.SUBMITTED)
    assert client.get(f"/attachments/{attachment_id}").status_code == 200
    review = client.get(f"/review/{activity_id}").get_data(as_text=True)
    assert "材料.pdf" in review and 'name="file"' not in review
    auth.logout()
    auth.login("staff_city")
    assert client.get(f"/attachments/{attachment_id}").status_code == 200


def test_download_needs_login(app, client, auth, world):
    _, attachment_id = uploaded(app, client, auth, world)
    response = client.get(f"/attachments/{attachment_id}")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_download_is_an_attachment_that_browsers_must_not_sniff_or_keep(
    app, client, auth, world, folder
):
    activity_id, attachment_id = uploaded(app, client, auth, world)
    auth.login("dele_a")
    response = client.get(f"/attachments/{attachment_id}")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/pdf"
    cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache and "public" not in cache
    [row] = attachments(app)
    assert response.data == (folder / row.stored_name).read_bytes()


# --- changing attachments ---------------------------------------------------------------------


def test_the_delegate_sees_the_upload_form_while_editable(app, client, auth, world):
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    accept = re.search(r'name="file" accept="([^"]+)"', page).group(1)
    assert set(accept.split(",")) == {
        ".jpg",
        ".jpeg",
        ".png",
        ".webp",
        ".pdf",
        ".docx",
        ".xlsx",
        "image/jpeg",
        "image/png",
        "image/webp",
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert "style=" not in page.split('id="attachments"')[1].split("</section>")[0]


@pytest.mark.parametrize("status", [ActivityStatus.APPROVED, ActivityStatus.SUBMITTED])
def test_files_cannot_be_added_or_removed_once_submitted_or_approved(
    app, client, auth, world, folder, status
):
    activity_id, attachment_id = uploaded(app, client, auth, world)
    set_status(app, activity_id, status)
    auth.login("dele_a")
    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    assert "材料.pdf" in page
    assert 'name="file"' not in page and f"/attachments/{attachment_id}/delete" not in page
    assert upload(client, activity_id, pdf(), "补充.pdf").status_code == 403
    assert client.post(f"/attachments/{attachment_id}/delete").status_code == 403
    assert [a.original_name for a in attachments(app)] == ["材料.pdf"]
    assert len(stored_files(folder)) == 1


def test_a_returned_entry_takes_files_again(app, client, auth, world):
    activity_id = make_activity(app, world.delegate_a, status=ActivityStatus.RETURNED)
    auth.login("dele_a")
    assert upload(client, activity_id, pdf(), "补充.pdf").status_code == 302


def test_others_cannot_add_or_remove_files(app, client, auth, world, folder):
    activity_id, attachment_id = uploaded(app, client, auth, world)
    auth.login("dele_a2")
    assert upload(client, activity_id, pdf(), "x.pdf").status_code == 404
    assert client.post(f"/attachments/{attachment_id}/delete").status_code == 404
    auth.logout()
    set_status(app, activity_id, ActivityStatus.RETURNED)
    auth.login("staff_a")  # staff see a returned entry but never edit it
    assert upload(client, activity_id, pdf(), "x.pdf").status_code == 403
    assert client.post(f"/attachments/{attachment_id}/delete").status_code == 403
    assert len(attachments(app)) == 1 and len(stored_files(folder)) == 1


def test_deleting_an_attachment_removes_its_file_and_is_audited(app, client, auth, world, folder):
    activity_id, attachment_id = uploaded(app, client, auth, world)
    [row] = attachments(app)
    assert (folder / row.stored_name).is_file()
    auth.login("dele_a")
    response = client.post(f"/attachments/{attachment_id}/delete")
    assert response.status_code == 302
    assert attachments(app) == []
    assert stored_files(folder) == []
    with app.app_context():
        audit = db.session.execute(
            sa.select(AuditEntry.action, AuditEntry.note, AuditEntry.object_id)
            .where(AuditEntry.action.in_(("attach", "detach")))
            .order_by(AuditEntry.id)
        ).all()
    assert [tuple(a) for a in audit] == [
        ("attach", "材料.pdf", activity_id),
        ("detach", "材料.pdf", activity_id),
    ]


def test_deleting_a_draft_removes_its_files(app, client, auth, world, folder):
    activity_id = make_activity(app, world.delegate_a)
    other_id = make_activity(app, world.delegate_a, title="留下的草稿")
    auth.login("dele_a")
    upload(client, activity_id, pdf(), "一.pdf")
    upload(client, activity_id, jpeg_with_gps(), "二.jpg")
    upload(client, other_id, pdf(), "留下.pdf")
    assert len(stored_files(folder)) == 3
    assert client.post(f"/activities/{activity_id}/delete").status_code == 302
    [kept] = attachments(app)
    assert kept.original_name == "留下.pdf"
    assert [p.name for p in stored_files(folder)] == [kept.stored_name]


def test_a_file_written_in_a_transaction_that_rolls_back_is_removed(app, world, folder):
    from tracker.attachments.services import add_attachment
    from tracker.models import User

    activity_id = make_activity(app, world.delegate_a)
    with app.app_context():
        activity = db.session.get(Activity, activity_id)
        author = db.session.scalar(sa.select(User).where(User.username == "dele_a"))
        add_attachment(activity, io.BytesIO(pdf()), "回滚.pdf", author)
        assert len(stored_files(folder)) == 1
        db.session.rollback()
    assert stored_files(folder) == []
    assert attachments(app) == []


def test_a_deletion_that_rolls_back_keeps_the_file(app, client, auth, world, folder):
    from tracker.attachments.services import remove_attachment
    from tracker.models import User

    _, attachment_id = uploaded(app, client, auth, world)
    with app.app_context():
        author = db.session.scalar(sa.select(User).where(User.username == "dele_a"))
        remove_attachment(db.session.get(Attachment, attachment_id), author)
        db.session.rollback()
        db.session.commit()  # a later commit must not remove the file of the restored row
    assert len(attachments(app)) == 1 and len(stored_files(folder)) == 1


def test_a_deletion_inside_a_rolled_back_savepoint_keeps_the_file(app, client, auth, world, folder):
    from tracker.attachments.services import remove_attachment
    from tracker.models import User

    _, attachment_id = uploaded(app, client, auth, world)
    with app.app_context():
        author = db.session.scalar(sa.select(User).where(User.username == "dele_a"))
        savepoint = db.session.begin_nested()
        remove_attachment(db.session.get(Attachment, attachment_id), author)
        savepoint.rollback()
        db.session.commit()
    assert len(attachments(app)) == 1 and len(stored_files(folder)) == 1


def test_a_deletion_inside_a_released_savepoint_waits_for_the_real_commit(
    app, client, auth, world, folder
):
    from tracker.attachments.services import remove_attachment
    from tracker.models import User

    _, attachment_id = uploaded(app, client, auth, world)
    with app.app_context():
        author = db.session.scalar(sa.select(User).where(User.username == "dele_a"))
        with db.session.begin_nested():
            remove_attachment(db.session.get(Attachment, attachment_id), author)
        assert len(stored_files(folder)) == 1  # the outer transaction could still roll back
        db.session.commit()
    assert attachments(app) == [] and stored_files(folder) == []


# --- where files live -------------------------------------------------------------------------


def test_files_are_stored_outside_static_under_random_names(app, client, auth, world, folder):
    uploaded(app, client, auth, world)
    [row] = attachments(app)
    path = (folder / row.stored_name).resolve()
    static = Path(app.static_folder).resolve()
    assert path.is_file()
    assert static not in path.parents
    assert re.fullmatch(r"[0-9a-f]{32}", row.stored_name)
    assert "材料" not in row.stored_name and "." not in row.stored_name
    assert client.get(f"/static/{row.stored_name}").status_code == 404


@pytest.mark.parametrize("app_config", [{"ATTACHMENT_FOLDER": None}], indirect=True)
def test_the_default_folder_is_in_the_instance_folder(app):
    from tracker.attachments.storage import attachment_folder

    with app.test_request_context():
        assert attachment_folder() == (Path(app.instance_path) / "attachments").resolve()


def test_a_folder_inside_static_is_refused(app):
    from tracker.attachments.storage import attachment_folder

    app.config["ATTACHMENT_FOLDER"] = str(Path(app.static_folder) / "uploads")
    with app.test_request_context(), pytest.raises(ConfigError):
        attachment_folder()


# --- CSRF, checked by the view itself on this route ----------------------------------------


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_an_upload_without_the_csrf_token_is_refused(app, client, world, folder):
    def token(html: str) -> str:
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)

    activity_id = make_activity(app, world.delegate_a)
    login_page = client.get("/auth/login").get_data(as_text=True)
    client.post(
        "/auth/login",
        data={
            "username": "dele_a",
            "password": factories.PASSWORD,
            "csrf_token": token(login_page),
        },
    )
    response = upload(client, activity_id, pdf(), "无令牌.pdf")
    assert response.status_code == 400
    assert attachments(app) == [] and stored_files(folder) == []

    page = client.get(f"/activities/{activity_id}").get_data(as_text=True)
    form = page.split('class="attachment-upload')[1]
    response = client.post(
        f"/attachments/activity/{activity_id}",
        data={"csrf_token": token(form), "file": (io.BytesIO(pdf()), "有令牌.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert [a.original_name for a in attachments(app)] == ["有令牌.pdf"]


@pytest.mark.parametrize(
    ("data", "filename"), [(jpeg_with_gps()[:-2], "截断.jpg"), (png()[:-12], "截断.png")]
)
def test_a_cut_photo_is_refused_even_when_pillow_is_told_to_accept_cut_files(
    app, client, auth, world, folder, monkeypatch, data, filename
):
    """WeasyPrint, which the PDF export imports, sets ImageFile.LOAD_TRUNCATED_IMAGES for the
    whole process; a cut photo must still be refused after a PDF was made."""
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    activity_id = make_activity(app, world.delegate_a)
    auth.login("dele_a")
    response = upload(client, activity_id, data, filename)
    assert response.status_code == 400
    assert "照片无法打开" in response.get_data(as_text=True)
    assert attachments(app) == []
