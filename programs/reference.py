"""Programme reference data: phases, the three intervention models, phase targets."""

import datetime

from django.utils.translation import gettext_noop

PHASES = [
    {
        "code": "2016-2020",
        "name": "Chương trình hành động phòng, chống mại dâm giai đoạn 2016 – 2020",
        "decision": "Quyết định số 361/QĐ-TTg ngày 07/03/2016",
        "start_date": datetime.date(2016, 1, 1),
        "end_date": datetime.date(2020, 12, 31),
    },
    {
        "code": "2021-2025",
        "name": "Chương trình phòng, chống mại dâm giai đoạn 2021 – 2025",
        "decision": "Quyết định số 1629/QĐ-TTg ngày 28/09/2021",
        "start_date": datetime.date(2021, 1, 1),
        "end_date": datetime.date(2025, 12, 31),
    },
]

MODELS = [
    {
        "code": "community",
        "order": 1,
        "short_name": gettext_noop("Dịch vụ hỗ trợ tại cộng đồng"),
        "name": "Mô hình cung cấp dịch vụ hỗ trợ cho người bán dâm tại cộng đồng, "
        "Trung tâm công tác xã hội",
    },
    {
        "code": "worker_rights",
        "order": 2,
        "short_name": gettext_noop("Bảo đảm quyền người lao động"),
        "name": "Mô hình hỗ trợ nhằm bảo đảm quyền của người lao động trong các cơ sở kinh "
        "doanh dịch vụ dễ phát sinh tệ nạn mại dâm",
    },
    {
        "code": "peer_groups",
        "order": 3,
        "short_name": gettext_noop("Nhóm đồng đẳng, tự lực, câu lạc bộ"),
        "name": "Mô hình hỗ trợ tăng cường năng lực của các nhóm đồng đẳng, nhóm tự lực, câu lạc "
        "bộ của người bán dâm trong việc tiếp cận, truyền thông và hỗ trợ giảm hại, phòng, chống "
        "bạo lực giới",
    },
]

TARGETS = [
    ("2016-2020", "referred_pct", 50, "Ít nhất 50% người được tiếp cận có nhu cầu được chuyển gửi"),
    ("2021-2025", "referred_pct", 50, "Ít nhất 50% người được tiếp cận có nhu cầu được chuyển gửi"),
    ("2021-2025", "coverage_pct", 10, "Ít nhất 10% đơn vị cấp huyện mỗi tỉnh triển khai mô hình"),
]


def load_reference(Phase, InterventionModel, Target):
    """Create or update phases, models and targets. Idempotent; takes the model classes so a
    data migration can pass its historical models."""
    for phase in PHASES:
        Phase.objects.update_or_create(code=phase["code"], defaults=phase)
    for model in MODELS:
        InterventionModel.objects.update_or_create(code=model["code"], defaults=model)
    for phase_code, indicator, value, description in TARGETS:
        Target.objects.update_or_create(
            phase_id=phase_code,
            indicator=indicator,
            defaults={"value": value, "description": description},
        )
