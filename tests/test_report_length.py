"""The report reads in about ten minutes: its analysis, everything before the appendix, stays within the word
limit, in the committed report and in one built from hand-made records with a fourth level and every method."""

from pathlib import Path

from locate.report.facts import build_report
from locate.report.length import WORD_LIMIT, analysis, word_count
from tests.test_report_text import report_inputs

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "reports" / "report.md"


def test_a_word_is_what_a_reader_reads():
    markdown = ("Two words.\n\n| method | PCK@0.05 |\n|---|---|\n| heatmap | 0.802 |\n\n"
                "![an image's alt text](figures/x.png)\n\n*Its caption* - 3 <!-- a comment -->\n")
    assert word_count(markdown) == 9  # Two, words., method, PCK@0.05, heatmap, 0.802, *Its, caption*, 3
    assert analysis("# Report\n\nText.\n\n## Appendix\n\n### A. Tables\n") == "# Report\n\nText.\n"


def test_a_longer_analysis_is_over_the_limit():
    report = "word " * (WORD_LIMIT + 1) + "\n## Appendix\n\n" + "table " * 5000
    assert word_count(analysis(report)) == WORD_LIMIT + 1 > WORD_LIMIT


def test_the_committed_report_reads_in_ten_minutes():
    report = COMMITTED.read_text()
    assert "\n## Appendix\n" in report
    assert word_count(analysis(report)) <= WORD_LIMIT


def test_a_report_of_four_levels_and_every_method_reads_in_ten_minutes():
    report = build_report(report_inputs())
    assert word_count(analysis(report)) <= WORD_LIMIT < word_count(report)


def test_the_docs_state_the_limit_the_test_checks():
    assert f"at most\n{WORD_LIMIT:,} words before its appendix" in (ROOT / "docs" / "results.md").read_text()
