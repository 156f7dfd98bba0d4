"""Chinese labels render in every plot: the CJK font shipped by mplfonts is registered and used."""

import warnings

from lawfactory.cards.plots import cjk_font_name, pyplot
from lawfactory.evaluation import attitude_models
from lawfactory.evaluation.report import plot_error_by_charge


def _missing_glyph_warnings(draw) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw()
    return [str(w.message) for w in caught if "missing from" in str(w.message)]


def test_cjk_font_registered_and_first():
    import matplotlib

    name = cjk_font_name()
    assert name and "CJK" in name
    pyplot()
    assert matplotlib.rcParams["font.sans-serif"][0] == name


def test_charge_names_render_without_missing_glyphs(tmp_path):
    per_charge = {c: {"n": 3, "mae_months": 4.0, "constant_median_mae_months": 6.0, "charge_median_mae_months": 5.0}
                  for c in ("盗窃", "故意伤害", "帮助信息网络犯罪活动", "竊盜", "交付賄賂")}
    out = tmp_path / "error_by_charge.png"
    missing = _missing_glyph_warnings(lambda: plot_error_by_charge(out, per_charge))
    assert out.stat().st_size > 0
    assert missing == []


def test_without_the_cjk_font_the_same_labels_would_be_boxes(tmp_path):
    """The check above can fail: DejaVu Sans (matplotlib's default) has no CJK glyphs."""
    plt = pyplot()
    fig, ax = plt.subplots()
    ax.set_title("盗窃", fontfamily="DejaVu Sans")
    missing = _missing_glyph_warnings(lambda: fig.savefig(tmp_path / "x.png"))
    plt.close(fig)
    assert missing


def test_attitude_model_comparison_renders_without_missing_glyphs(tmp_path):
    block = {"n_pairs": 4, "abstained_pairs": 1, "direction_violations": 1, "direction_violation_rate": 1 / 3}
    models = {name: {**block, "by_variant": {v: block for v in ("refusal", "unclear", "confession")}}
              for name in ("sft", "dpo")}
    out = tmp_path / "attitude_models.png"
    missing = _missing_glyph_warnings(lambda: attitude_models.plot(out, {"models": models}))
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert missing == []
