"""Made-up but real-looking content for the rehearsal and the benchmarks: Vietnamese names, bridge points, agenda
items, comments."""
from __future__ import annotations

import csv
import io
import itertools
import random
import unicodedata

# Weighted roughly as family names are spread in Viet Nam: Nguyễn is about one in three.
FAMILY = (
    ("Nguyễn", 38),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Phan", 4),
    ("Vũ", 4),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 1),
    ("Ngô", 1),
    ("Dương", 1),
    ("Võ", 2),
    ("Huỳnh", 2),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trương", 1),
    ("Lâm", 1),
    ("Mai", 1),
    ("Tạ", 1),
    ("Cao", 1),
    ("Hà", 1),
    ("Lương", 1),
    ("Quách", 1),
    ("Kiều", 1),
)
_FAMILIES = tuple(name for name, _ in FAMILY)
_FAMILY_WEIGHTS = tuple(itertools.accumulate(weight for _, weight in FAMILY))
# Every family name as many times as its weight: numbered_name goes round it.
_FAMILY_ROUND = tuple(name for name, weight in FAMILY for _ in range(weight))
MIDDLE_MEN = (
    "Văn",
    "Hữu",
    "Đức",
    "Minh",
    "Quốc",
    "Công",
    "Thành",
    "Xuân",
    "Đình",
    "Ngọc",
    "Quang",
    "Trung",
    "Việt",
    "Anh",
)
MIDDLE_WOMEN = ("Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Hồng", "Kim", "Bích", "Phương", "Thùy", "Diệu")
GIVEN_MEN = ("An", "Bảo", "Bình", "Cường", "Dũng", "Duy", "Đạt", "Đức", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy",
             "Khánh", "Khoa", "Kiên", "Long", "Lộc", "Mạnh", "Minh", "Nam", "Nghĩa", "Phong", "Phúc", "Quân", "Quang",
             "Sơn", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng", "Việt", "Vinh", "Vũ", "Ưng")
GIVEN_WOMEN = (
    "Anh",
    "Ánh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hiền",
    "Hoa",
    "Hồng",
    "Huệ",
    "Hương",
    "Hường",
    "Lan",
    "Liên",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Nga",
    "Ngân",
    "Ngọc",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Quỳnh",
    "Tâm",
    "Thảo",
    "Thoa",
    "Thu",
    "Thủy",
    "Trang",
    "Trinh",
    "Uyên",
    "Vân",
    "Yến",
)
COMMUNES = ("Tân Phú", "Tân Hòa", "Phú Thạnh", "Long Hưng", "Vĩnh Thạnh", "Hòa An", "An Bình", "Thạnh Lộc", "Mỹ Hòa",
            "Bình Minh", "Đông Thạnh", "Tây Sơn", "Nghĩa Hưng", "Quảng Thành", "Đức Thắng", "Hưng Đạo", "Quang Trung",
            "Yên Lạc", "Thủy Xuân", "Kim Liên", "Cẩm Thủy", "Hương Sơn", "Phù Ninh", "Xuân Lộc", "Định Hóa", "Ea Kar",
            "Nậm Nhùn", "Mường Lát", "Khánh Hải", "Lộc Ninh", "Phước Long", "Đồng Xoài", "Hải Lăng", "Triệu Phong",
            "Ân Thi", "Kỳ Sơn", "Ngọc Lặc", "Thiệu Hóa", "Vũ Thư", "Giao Thủy")
DISTRICTS = (
    ("Châu Thành", "Hậu Giang"),
    ("Phong Điền", "Cần Thơ"),
    ("Long Mỹ", "Hậu Giang"),
    ("Vị Thủy", "Hậu Giang"),
    ("Thạnh Trị", "Sóc Trăng"),
    ("Mỹ Tú", "Sóc Trăng"),
    ("Cái Nước", "Cà Mau"),
    ("Hồng Dân", "Bạc Liêu"),
    ("Tam Nông", "Đồng Tháp"),
    ("Lấp Vò", "Đồng Tháp"),
    ("Chợ Gạo", "Tiền Giang"),
    ("Gò Công Tây", "Tiền Giang"),
    ("Đức Phổ", "Quảng Ngãi"),
    ("Hoài Nhơn", "Bình Định"),
    ("Tuy Phước", "Bình Định"),
    ("Diên Khánh", "Khánh Hòa"),
    ("Thăng Bình", "Quảng Nam"),
    ("Quế Sơn", "Quảng Nam"),
    ("Hương Khê", "Hà Tĩnh"),
    ("Quỳnh Lưu", "Nghệ An"),
    ("Thọ Xuân", "Thanh Hóa"),
    ("Hải Hậu", "Nam Định"),
    ("Kim Bảng", "Hà Nam"),
    ("Lục Ngạn", "Bắc Giang"),
    ("Mù Cang Chải", "Yên Bái"),
)
POSITIONS = (
    "Bí thư Đảng ủy xã",
    "Phó Bí thư Thường trực Đảng ủy xã",
    "Chủ tịch Ủy ban nhân dân xã",
    "Trưởng Công an xã",
    "Phó Trưởng Công an xã",
    "Cán bộ Công an xã",
    "Chủ tịch Hội đồng nhân dân xã",
    "Bí thư Chi bộ",
    "Trưởng thôn",
    "Đảng viên",
    None,
)
HOST_POSITIONS = ("Thứ trưởng", "Vụ trưởng", "Phó Vụ trưởng", "Chánh Văn phòng", "Chuyên viên chính", "")
ORGANISATIONS = ("Công an xã {commune}", "Đảng ủy xã {commune}", "Ủy ban nhân dân xã {commune}")
AGENDA_OPENING = ("Phát biểu khai mạc", "opening")
AGENDA_REPORT = ("Báo cáo đề dẫn", "report")
AGENDA_CLOSING = ("Phát biểu bế mạc", "closing")
CONTRIBUTION_TOPICS = ("Kinh nghiệm phối hợp trong công tác cán bộ", "Nâng cao chất lượng sinh hoạt chi bộ công an xã",
                       "Công tác kiểm tra, giám sát đảng viên", "Phối hợp bảo đảm an ninh, trật tự ở cơ sở",
                       "Thực tiễn thi hành quy chế phối hợp hiện hành", "Ý kiến đóng góp vào dự thảo Quy chế")
COMMENTS = (
    "Đề nghị làm rõ thẩm quyền của ban thường vụ tỉnh ủy trong việc cho ý kiến về nhân sự.",
    "Quy định này còn chung chung, khó thực hiện ở cấp xã.",
    "Đề nghị bổ sung thời hạn trả lời bằng văn bản để tránh kéo dài.",
    "Đề nghị quy định rõ trách nhiệm của bên chủ trì khi hai bên chưa thống nhất ý kiến.",
    "Cần bổ sung cơ chế phối hợp trong trường hợp đột xuất, khẩn cấp.",
    "Đề nghị bỏ cụm từ “khi cần thiết” vì dễ dẫn đến tùy tiện khi áp dụng.",
    "Thực tiễn ở địa phương cho thấy việc trao đổi thông tin còn chậm, nên quy định định kỳ hằng quý.",
    "Đề nghị bổ sung nội dung kiểm tra, giám sát việc thực hiện quy chế.",
    "Thống nhất với dự thảo, đề nghị giữ nguyên.",
    "Chưa rõ đơn vị nào chịu trách nhiệm tổng hợp, đề nghị quy định cụ thể.",
)
PROPOSALS = ("trong thời hạn 10 ngày làm việc", "bằng văn bản", "theo quy định của pháp luật", "và báo cáo kết quả")
ROSTER_HEADER = ("full_name", "position", "organization", "point_code", "role_in_meeting")


def full_name(rng: random.Random) -> str:
    family = rng.choices(_FAMILIES, cum_weights=_FAMILY_WEIGHTS)[0]
    middle, given = (MIDDLE_MEN, GIVEN_MEN) if rng.random() < 0.5 else (MIDDLE_WOMEN, GIVEN_WOMEN)
    parts = [family, rng.choice(middle)]
    if rng.random() < 0.2:
        # Names such as "Vũ Thị Hồng Nhung" carry a second middle name, never "Thị" and never the first again.
        parts.append(rng.choice([m for m in middle if m not in ("Thị", parts[1])]))
    parts.append(rng.choice([g for g in given if g not in parts]))
    return " ".join(parts)


def numbered_name(index: int) -> str:
    """The index-th of as many different names as a bulk load needs, without drawing: family names as often as
    full_name gives them, and the number at the end that makes each one unique."""
    family = _FAMILY_ROUND[index % len(_FAMILY_ROUND)]
    middle, given = (MIDDLE_MEN, GIVEN_MEN) if index % 2 == 0 else (MIDDLE_WOMEN, GIVEN_WOMEN)
    rest = index // len(_FAMILY_ROUND)
    return f"{family} {middle[rest % len(middle)]} {given[(rest // len(middle)) % len(given)]} {index}"


def folded(name: str) -> str:
    """A name without case or diacritics, as the roster tells two people at one point apart."""
    bare = "".join(
        ch
        for ch in unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
        if not unicodedata.combining(ch)
    )
    return bare.casefold()


def place(index: int) -> tuple[str, str, str]:
    """Name, province and commune of the index-th commune bridge point: every commune and district is a different
    place until they run out, then they come round again as "(điểm 2)"."""
    commune = COMMUNES[index % len(COMMUNES)]
    district, province = DISTRICTS[(index // len(COMMUNES)) % len(DISTRICTS)]
    lap = index // (len(COMMUNES) * len(DISTRICTS))
    suffix = f" (điểm {lap + 1})" if lap else ""
    return f"Điểm cầu xã {commune}, huyện {district}, tỉnh {province}{suffix}", province, commune


def point_fields(index: int) -> dict[str, object]:
    """The index-th point: 0 is the host in Hà Nội, the others commune bridge points, each a different place."""
    if index == 0:
        return {"code": "TW", "name": "Điểm cầu Trung ương, Hà Nội", "region": "Hà Nội", "is_host": True}
    name, province, _ = place(index - 1)
    return {"code": f"DC{index:04d}", "name": name, "region": province, "is_host": False}


def roster_csv(rng: random.Random, points: list[dict[str, object]], count: int) -> bytes:
    """`count` people spread round-robin over the points, as the import endpoint reads them."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ROSTER_HEADER)
    # The same name twice at one point is refused as a duplicate row, as a real roster's would be.
    taken: set[tuple[int, str]] = set()
    for i in range(count):
        point = points[i % len(points)]
        name = full_name(rng)
        while (i % len(points), folded(name)) in taken:
            name = full_name(rng)
        taken.add((i % len(points), folded(name)))
        commune = str(point["name"]).split(",")[0].removeprefix("Điểm cầu xã ")
        position: str | None
        if point["is_host"]:
            organization, position = "Bộ Công an", rng.choice(HOST_POSITIONS)
        else:
            organization, position = rng.choice(ORGANISATIONS).format(commune=commune), rng.choice(POSITIONS)
        role = "tham luận" if rng.random() < 0.05 else "đại biểu"
        writer.writerow((name, position, organization, point["code"], role))
    return out.getvalue().encode("utf-8")


def agenda_items(rng: random.Random, count: int) -> list[dict[str, object]]:
    """Opening, the introductory report, contributions and discussion in turn, and the closing remarks last."""
    items: list[dict[str, object]] = []
    for i in range(max(count, 3)):
        if i == 0:
            title, kind = AGENDA_OPENING
        elif i == 1:
            title, kind = AGENDA_REPORT
        elif i == max(count, 3) - 1:
            title, kind = AGENDA_CLOSING
        elif i % 4 == 0:
            title, kind = f"Thảo luận, góp ý dự thảo (phiên {i // 4})", "discussion"
        else:
            title, kind = f"Tham luận: {rng.choice(CONTRIBUTION_TOPICS)}", "contribution"
        items.append(
            {"title": title, "kind": kind, "presenter": full_name(rng), "planned_minutes": rng.choice((5, 10, 15))}
        )
    return items


def comment(rng: random.Random, anchors: list[str]) -> dict[str, object]:
    """A delegate's comment: on a provision most of the time, sometimes with proposed wording."""
    body: dict[str, object] = {"body": rng.choice(COMMENTS)}
    if anchors and rng.random() < 0.9:
        body["section_anchor"] = rng.choice(anchors)
    # A proposed wording changes one section, so only a comment on one carries it (the draw is kept either way,
    # so a seed gives the same workshop as before).
    proposes = rng.random() < 0.3
    if proposes and "section_anchor" in body:
        body["proposed_text"] = f"Bổ sung cụm từ “{rng.choice(PROPOSALS)}”."
    return body
