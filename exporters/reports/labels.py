"""The fixed words of compliance reports, in English and Korean.

Reports are files handed to authorities and customers, so their wording is fixed here rather than left
to the web UI's catalogues: the same version renders to the same words whoever asks, and the Korean is
written for Korean compliance staff (the legal citations themselves stay in their official EU form,
because that is how Korean exporters quote them to EU authorities too).
Plain Python, no Django.
"""

from __future__ import annotations

from typing import Literal

from exporters.reports.pdf import Labels

Lang = Literal["en", "ko"]
LANGS: tuple[Lang, ...] = ("en", "ko")

_WORDS: dict[str, dict[Lang, str]] = {
    "report_title": {"en": "Digital Product Passport compliance report", "ko": "디지털 제품 여권 규정 준수 보고서"},
    "cbam_title": {"en": "CBAM emissions communication", "ko": "CBAM 내재 배출량 정보 전달서"},
    "tier_public": {"en": "Public", "ko": "공개"},
    "tier_legitimate_interest": {"en": "Legitimate interest", "ko": "정당한 이해관계자"},
    "tier_authority": {"en": "Authorities", "ko": "규제 당국"},
    "status_draft": {"en": "Draft (not published)", "ko": "초안(미발행)"},
    "status_published": {"en": "Published", "ko": "발행됨"},
    "status_superseded": {"en": "Superseded by a newer version", "ko": "새 버전으로 대체됨"},
    "status_revoked": {"en": "Revoked", "ko": "철회됨"},
    "granularity_model": {"en": "Model", "ko": "모델"},
    "granularity_batch": {"en": "Batch", "ko": "배치(로트)"},
    "granularity_item": {"en": "Item", "ko": "개별 제품"},
    "digital_link": {"en": "Passport identifier (GS1 Digital Link)", "ko": "여권 식별자(GS1 디지털 링크)"},
    "granularity": {"en": "Granularity", "ko": "여권 단위"},
    "lot": {"en": "Lot / batch", "ko": "로트 번호"},
    "serial": {"en": "Serial number", "ko": "일련번호"},
    "cn_code": {"en": "CN code", "ko": "CN 코드"},
    "schema": {"en": "Passport schema", "ko": "여권 스키마"},
    "published_on": {"en": "published", "ko": "발행일"},
    "created_on": {"en": "created", "ko": "작성일"},
    "summary": {"en": "Summary", "ko": "요약"},
    "summary_text": {
        "en": (
            "This report shows version {version} of the passport {identifier} as a viewer of the {tier} tier "
            "sees it. Each page carries the SHA-256 of that version's canonical data: compare it with the signed "
            "passport to prove that the printout shows the published data unchanged."
        ),
        "ko": (
            "이 보고서는 여권 {identifier}의 버전 {version}을(를) '{tier}' 열람 등급 기준으로 보여 줍니다. "
            "모든 쪽에 해당 버전의 정규화된 데이터에 대한 SHA-256 값이 인쇄되어 있으므로, 서명된 여권과 "
            "비교하면 인쇄본이 발행된 데이터를 변경 없이 담고 있음을 확인할 수 있습니다."
        ),
    },
    "validation_clean": {
        "en": "The data passes every rule of its schema.",
        "ko": "데이터가 스키마의 모든 규칙을 충족합니다.",
    },
    "validation_issues": {
        "en": "The data has {count} open validation issue(s); they are listed in the checklist as missing.",
        "ko": "데이터에 해결되지 않은 검증 오류가 {count}건 있으며, 점검표에 '누락'으로 표시되어 있습니다.",
    },
    "checklist": {"en": "Compliance checklist", "ko": "규정 준수 점검표"},
    "checklist_intro": {
        "en": (
            "One row per legal clause that the passport schema cites. Met: the passport holds the data the "
            "clause asks for and it validates. Missing: the validation report names a problem under the clause. "
            "Not applicable: the clause's fields are optional and empty for this product."
        ),
        "ko": (
            "여권 스키마가 인용하는 법 조항마다 한 줄씩 표시합니다. 충족: 조항이 요구하는 데이터가 있고 검증을 "
            "통과함. 누락: 검증 보고서에 해당 조항의 문제가 있음. 해당 없음: 조항의 항목이 선택 사항이며 이 제품에는 "
            "비어 있음."
        ),
    },
    "draft_watermark": {"en": "DRAFT — not a compliance document", "ko": "초안 — 규정 준수 문서가 아님"},
    "invalid_watermark": {
        "en": "INVALID DATA — not a compliance document",
        "ko": "유효하지 않은 데이터 — 규정 준수 문서가 아님",
    },
    "no_qr_unpublished": {
        "en": "No QR code: this passport is not published yet, so there is no page for a code to open.",
        "ko": "QR 코드 없음: 이 여권은 아직 게시되지 않아 코드로 열 페이지가 없습니다.",
    },
    "restricted_evidence": {"en": "Held for the {tier} tier", "ko": "'{tier}' 등급에서 열람 가능"},
    "carbon_footprint": {"en": "Carbon footprint", "ko": "탄소발자국"},
    "stage_chart_title": {"en": "Carbon footprint per lifecycle stage", "ko": "수명주기 단계별 탄소발자국"},
    "stage": {"en": "Lifecycle stage", "ko": "수명주기 단계"},
    "value": {"en": "Value", "ko": "값"},
    "share": {"en": "Share of total", "ko": "총계 대비 비율"},
    "performance_class": {"en": "Performance class", "ko": "성능 등급"},
    "class_prefix": {"en": "Class {value}", "ko": "{value} 등급"},
    "chart_scale_note": {
        "en": "The chart shows the values in {unit}; the table gives them as declared, in {declared_unit}.",
        "ko": "그래프는 {unit} 단위로 표시하며, 표에는 신고된 값을 {declared_unit} 단위 그대로 싣습니다.",
    },
    "data_quality": {"en": "Data quality", "ko": "데이터 품질"},
    "materials": {"en": "Materials and substances", "ko": "소재 및 물질"},
    "passport_data": {"en": "Passport data", "ko": "여권 데이터"},
    "passport_data_intro": {
        "en": "Every other field of this version that the {tier} tier may see, as entered.",
        "ko": "'{tier}' 등급이 열람할 수 있는 이 버전의 나머지 항목을 입력된 그대로 싣습니다.",
    },
    "yes": {"en": "Yes", "ko": "예"},
    "no": {"en": "No", "ko": "아니요"},
    "more": {"en": "… and {count} more", "ko": "… 외 {count}개"},
    # CBAM communication
    "cbam_installation": {"en": "Installation and operator", "ko": "설비 및 운영자"},
    "cbam_period": {"en": "Reporting period", "ko": "보고 기간"},
    "cbam_goods": {"en": "Goods and specific embedded emissions", "ko": "상품별 단위 내재 배출량"},
    "cbam_good": {"en": "Good {number}: CN {cn}", "ko": "{number}번째 상품: CN {cn}"},
    "cbam_calculation": {"en": "How the figures follow from the installation's data", "ko": "설비 데이터로부터의 계산"},
    "cbam_electricity": {"en": "Electricity balance of the installation", "ko": "설비 전력 수지"},
    "cbam_verification": {"en": "Verification", "ko": "검증"},
    "cbam_precursors": {"en": "Precursors", "ko": "전구물질"},
    "cbam_parameters": {"en": "Qualifying parameters", "ko": "품질 매개변수"},
    "cbam_carbon_price": {"en": "Carbon price due", "ko": "납부 탄소 가격"},
    "cbam_defaults": {
        "en": "Actual data against the Commission's default values",
        "ko": "실측 데이터와 EU 집행위원회 기본값 비교",
    },
    "cbam_defaults_intro": {
        "en": (
            "Default values of Implementing Regulation (EU) 2025/2621, Annex I, for goods produced in {country} "
            "and imported in {year}, with that year's mark-up. One CBAM certificate covers one tonne of CO2e, so "
            "the difference between the default and the actual figure that counts is the certificates the "
            "actual data saves, before the free allocation adjustment (Regulation (EU) 2023/956, Art. 31). "
            "Table: {source} (SHA-256 {sha})."
        ),
        "ko": (
            "{country}에서 생산되어 {year}년에 수입되는 상품에 적용되는 이행규칙 (EU) 2025/2621 부속서 I의 기본값"
            "(해당 연도 가산 포함)입니다. CBAM 인증서 1매는 CO2e 1톤에 해당하므로, 기본값과 산정 대상 실측값의 "
            "차이가 실측 데이터로 절감되는 인증서 수입니다(무상할당 조정 전, 규칙 (EU) 2023/956 제31조). "
            "기본값 표: {source} (SHA-256 {sha})."
        ),
    },
    "cbam_default_line": {"en": "Default value line (CN, country, route)", "ko": "적용 기본값 행(CN, 국가, 공정)"},
    "cbam_default_value": {"en": "Default value without mark-up", "ko": "가산 전 기본값"},
    "cbam_mark_up": {"en": "Mark-up of {year}", "ko": "{year}년 가산율"},
    "cbam_default_with_mark_up": {"en": "Default value with mark-up", "ko": "가산 적용 기본값"},
    "cbam_counted": {
        "en": "Counted for certificates ({which}): default / actual",
        "ko": "인증서 산정 배출량({which}): 기본값 / 실측값",
    },
    "cbam_counted_direct": {"en": "direct only", "ko": "직접 배출만"},
    "cbam_counted_direct_and_indirect": {"en": "direct and indirect", "ko": "직접 및 간접 배출"},
    "cbam_saved_per_unit": {"en": "Certificates saved per tonne", "ko": "톤당 절감 인증서 수"},
    "cbam_saved_period": {
        "en": "Certificates saved on the period's production",
        "ko": "보고 기간 생산량 기준 절감 인증서 수",
    },
    "cbam_no_default": {
        "en": "The table used has no default value for CN {cn} produced in {country}.",
        "ko": "사용한 기본값 표에 {country}에서 생산된 CN {cn}의 기본값이 없습니다.",
    },
    "cbam_intro": {
        "en": (
            "Content of the communication that operators of installations outside the EU send to reporting "
            "declarants (Implementing Regulation (EU) 2023/1773, Annex IV). The JSON and XML files of this "
            "communication carry the same data."
        ),
        "ko": (
            "EU 역외 설비 운영자가 EU 신고인(수입자)에게 전달하는 정보의 내용입니다(이행규칙 (EU) 2023/1773 "
            "부속서 IV). 이 전달서의 JSON 및 XML 파일에도 같은 데이터가 담겨 있습니다."
        ),
    },
    "direct": {"en": "Direct", "ko": "직접"},
    "indirect": {"en": "Indirect", "ko": "간접"},
    "total": {"en": "Total", "ko": "합계"},
    "reported": {"en": "Reported", "ko": "보고값"},
    "calculated": {"en": "Calculated", "ko": "계산값"},
}

_LABELS: dict[Lang, Labels] = {
    "en": Labels(),
    "ko": Labels(
        page="{page} / {pages} 쪽",
        content_hash="여권 버전의 SHA-256",
        identifiers="식별자",
        issuer="발행자",
        version="버전",
        status="상태",
        key_id="서명 키 ID",
        fingerprint="키 지문",
        verification_url="서명 검증 주소",
        scan_hint="스캔하여 여권 열기",
        total="합계",
        clause="조항",
        requirement="요구 사항",
        checklist_status="상태",
        evidence="근거",
        met="충족",
        missing="누락",
        not_applicable="해당 없음",
    ),
}


def check_lang(lang: str) -> Lang:
    """Return ``lang`` if reports are written in it; ValueError otherwise."""
    if lang == "en":
        return "en"
    if lang == "ko":
        return "ko"
    raise ValueError(f"reports are written in {' or '.join(LANGS)}, not {lang!r}")


def word(key: str, lang: Lang, **values: object) -> str:
    """Return the report word ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``."""
    text = _WORDS[key][lang]
    return text.format(**values) if values else text


def layout_labels(lang: Lang) -> Labels:
    """Return the words the PDF layout prints on its own (page numbers, cover facts, checklist heads)."""
    return _LABELS[lang]


def tier_label(tier: str, lang: Lang) -> str:
    return word(f"tier_{tier}", lang)


def status_label(status: str, lang: Lang) -> str:
    return word(f"status_{status}", lang)


def report_watermark(status: str, issue_count: int, lang: Lang) -> str | None:
    """What a report that is not a compliance document says across every page: a draft, or data that fails
    validation; None for a published, superseded or revoked version (their status is on the cover)."""
    if status == "draft":
        return word("draft_watermark", lang)
    if issue_count:
        return word("invalid_watermark", lang)
    return None


def no_qr_reason(status: str, qr_png: bytes | None, lang: Lang) -> str | None:
    """A passport never published has no page behind its identifier yet: its report prints no QR code.
    A draft of a passport that has a published version keeps the code (it opens the published page)."""
    if status == "draft" and qr_png is None:
        return word("no_qr_unpublished", lang)
    return None
