"""The plugin's labels come from its gettext catalog: Chinese by default, English in the English UI."""

from __future__ import annotations

from core.i18n import use_locale
from plugins.incubation.cases import STANDARD_CRITERIA
from plugins.incubation.hooks import criterion
from plugins.incubation.labels import LABELS, label


def test_every_label_and_standard_criterion_reads_chinese_and_english():
    """Each stage, space, mode, mentor kind, phase and criterion status label (and each standard graduation
    criterion) is the catalog's Chinese in zh_CN and its English in en — never a msgid or a key on a page."""
    wrong = []
    for vocabulary, pairs in LABELS.items():
        for key, (zh, en) in pairs.items():
            if label(vocabulary, key, "zh_CN") != zh or label(vocabulary, key, "en") != en:
                wrong.append((vocabulary, key, label(vocabulary, key, "zh_CN"), label(vocabulary, key, "en")))
    for zh, en in STANDARD_CRITERIA:
        with use_locale("en"):
            english = criterion(zh)
        with use_locale("zh_CN"):
            chinese = criterion(zh)
        if (chinese, english) != (zh, en):
            wrong.append(("criterion", zh, chinese, english))
    assert wrong == []
    assert label("stage", "not-a-stage", "en") == "not-a-stage" and label("stage", None) == ""
