"""Every project decision [D-nn] of endpoints.md is a config key whose shipped value is the spec's.

The expected values below are typed by hand from the text of endpoints.md (section cited on each
line), not read from the config or from docs/decisions.md. They are checked against the shipped
config/config.yaml as written, against the configuration ``load_config`` returns after the schema
check, and against the configuration a study file that does not repeat the key inherits. The
decisions registry docs/decisions.md is checked against the same values, the schema must describe
and require each key, and the alternatives the spec offers must pass the schema.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from outcomes.configuration import load_config, validate_config
from outcomes.derive.params import Criteria, ScoreParams, VisitParams
from outcomes.drugs.params import MedicationParams
from outcomes.eligibility import EligibilityParams
from outcomes.endpoints.params import EndpointParams, SafetyParams
from outcomes.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "decisions.md"
SPEC = ROOT / "docs" / "endpoints.md"
CONFIG = ROOT / "config" / "config.yaml"
SCHEMA = ROOT / "config" / "config.schema.json"
ROW = re.compile(r"^\| (D-\d\d|§[\d.]+) \| (.+) \| `([a-z0-9_.]+)` \| (.+) \|$")

#: (decision, config key, value stated by endpoints.md), typed from the spec text.
SPEC_VALUES: tuple[tuple[str, str, Any], ...] = (
    # §0: round PGA to 2 decimals and prednisone-equivalent doses to 4 decimals; §16.8: the
    # validator warns when PGA has more than 2 decimals.
    ("D-01", "scores.pga_decimals", 2),
    ("D-01", "medications.gc_decimals", 4),
    ("D-01", "validation.pga_decimals_max", 2),
    # §0: Day 0 = date of infusion, study day = date - infusion date.
    ("D-02", "visits.study_day_origin", "infusion_day_0"),
    # §1.1: this trial uses the 10-day window.
    ("D-03", "scores.sledai_lookback_days", 10),
    # §1.2: UPCR g/g as g/24 h; threshold stays strict > 0.5.
    ("D-04", "validation.upcr_proteinuria_gt_g_per_g", 0.5),
    # §1.3: the trial eCRF's SELENA-SLEDAI glossary is the final authority.
    ("D-05", "scores.selena_glossary", "ecrf"),
    # §1.3, E-32: onset flags missing -> bounds.
    ("D-06", "scores.selena_onset_missing", "bounds"),
    # §1.4: SRI SELENA-SLEDAI; DORIS cSLEDAI with SLEDAI-2K rules; LLDAS SLEDAI-2K total.
    ("D-07", "scores.sri_index", "selena"),
    ("D-07", "scores.doris_index", "clinical_sledai2k"),
    ("D-07", "scores.lldas_index", "sledai2k"),
    # §2.2: the engine takes the nine domain grades as inputs.
    ("D-08", "scores.bilag_grades", "recorded"),
    # §2.4: any domain worsening to A or B versus the previous assessment.
    ("D-09", "criteria.flare.bilag_worse_grades", ["A", "B"]),
    # §3, §4.1: absolute 0.3-point rule; pct10 = PGA_v - PGA_bl <= 0.10 x PGA_bl.
    ("D-10", "criteria.sri.pga_rule", "absolute"),
    ("D-10", "criteria.sri.pga_increase_lt", 0.3),
    ("D-10", "criteria.sri.pga_increase_pct_le", 10),
    # §16.5: no earlier than LDSTDT - baseline_window_days (default 42).
    ("D-11", "visits.baseline_window_days", 42),
    # §5.1: pred_eq <= 5.0 (inclusive).
    ("D-12", "criteria.doris.gc_operator", "le"),
    ("D-12", "criteria.doris.prednisone_mg_per_day_le", 5),
    # §5.1: PGA strict < 0.5.
    ("D-13", "criteria.doris.pga_operator", "lt"),
    ("D-13", "criteria.doris.pga_lt", 0.5),
    # §5.1: immunosuppressives and biologics allowed if stable.
    ("D-14", "criteria.doris.require_stable_is", True),
    # §5.2: all DORIS flags use cSLEDAI-2K = 0 and PGA < 0.5.
    ("D-15", "criteria.doris.variants_2017", "doris2021_sledai_pga"),
    ("D-15", "criteria.doris.clinical_sledai_eq", 0),
    # §6.2: prednisone-equivalent dose on the assessment date = 0; §16.24: an active
    # investigational drug breaks drug-free DORIS.
    ("D-16", "criteria.drug_free.prednisone_mg_per_day_eq", 0),
    ("D-16", "criteria.drug_free.investigational_breaks", True),
    # §6.3: at most one missing scheduled assessment bridged; T = M6, M9, M12, M18, M24.
    ("D-17", "endpoints.bridge_missing_max", 1),
    (
        "D-17",
        "endpoints.maintenance_avisit",
        ["MONTH 6", "MONTH 9", "MONTH 12", "MONTH 18", "MONTH 24"],
    ),
    # §6.3: death without prior loss is an event.
    ("D-18", "endpoints.duration_death", "event"),
    # §6.4: severe SS_v > 12 and rise >= 3; mild/moderate rise >= 3 and SS_v <= 12.
    ("D-19", "criteria.flare.sfi_rise_ge", 3),
    ("D-19", "criteria.flare.sfi_severe_gt", 12),
    # §7.1/§7.2: SLEDAI-2K <= 4, lldas_c2_include_bilag default FALSE, PGA <= 1.00,
    # pred_eq <= 7.5.
    ("D-20", "criteria.lldas.sledai_le", 4),
    ("D-20", "criteria.lldas.c2_include_bilag", False),
    ("D-20", "criteria.lldas.pga_le", 1.0),
    ("D-20", "criteria.lldas.prednisone_mg_per_day_le", 7.5),
    # §7.3: LLDAS50 = percentage >= 50 %; §16.15: X = 3, 6, 12 months (91, 182, 365 days);
    # §16.14: LLDASPCT written for each scheduled visit from M3 on.
    ("D-21", "endpoints.lldas50_pct_ge", 50),
    ("D-21", "endpoints.sustained_months", [3, 6, 12]),
    ("D-21", "endpoints.lldas_time_first_avisit", "MONTH 3"),
    # §8.1: only systemic routes (oral, IV, IM, SC) count.
    (
        "D-22",
        "medications.systemic_routes",
        ["ORAL", "INTRAVENOUS", "INTRAMUSCULAR", "SUBCUTANEOUS"],
    ),
    # §8.2: LD = fludarabine and cyclophosphamide in the LD window Day -5 ... -1; §8.3: CAR-T
    # toxicity indications CRS/ICANS/IEC-HS/LICATS; adrenal replacement ("adrenal insufficiency")
    # counted in pred_eq by default.
    ("D-24", "medications.ld_drugs", ["fludarabine", "cyclophosphamide"]),
    ("D-24", "medications.ld_window_first_day", -5),
    ("D-24", "medications.ld_window_last_day", -1),
    ("D-24", "medications.cart_toxicity_indications", ["CRS", "ICANS", "IEC-HS", "LICATS"]),
    ("D-24", "medications.adrenal_indications", ["ADRENAL INSUFFICIENCY"]),
    ("D-24", "medications.exclude_adrenal_replacement_le_pred_eq", None),
    # §8.4, §16.6: CMINDC = SLE; start date after Day 0; IVIG given for SLE is a rescue;
    # §16.3: rescue_is_failure default true.
    ("D-25", "medications.sle_indication", "SLE"),
    ("D-25", "medications.rescue_start_day_gt", 0),
    ("D-25", "medications.ivig_drugs", ["immunoglobulin"]),
    ("D-25", "endpoints.rescue_is_failure", True),
    # §9: onset on study Day 0 ... Day 91 inclusive.
    ("D-26", "safety.ae_window_first_day", 0),
    ("D-26", "safety.ae_window_last_day", 91),
    # §9.3: a draw is held until the next draw; early grading Day 0 to Day 30 inclusive.
    ("D-27", "safety.icaht.between_draws", "hold_last_value"),
    ("D-27", "safety.icaht.early_last_day", 30),
    # §10.3: SCr_mg_per_dL = SCr_umol_per_L / 88.4; actual body weight.
    ("D-29", "eligibility.creatinine_umol_per_l_per_mg_dl", 88.4),
    ("D-30", "eligibility.crcl_body_weight", "actual"),
    # §11: month target = floor(m x 365/12).
    ("D-31", "endpoints.days_per_month", 365 / 12),
    # §6.3: never-achievers censored (CNSR 1) at the last evaluable assessment; death before
    # achievement censored at death with CNSR 2.
    ("D-32", "endpoints.never_achieved_censor", "last_evaluable_assessment"),
    ("D-32", "endpoints.death_before_achievement", "censor_cnsr2"),
    # §8.1: a shared day belongs to the record that starts.
    ("D-33", "medications.shared_boundary_day", "starting_record"),
    # §7.2: HAEMOLYSIS not recorded -> absent if BILAG HAEM is D or E.
    ("D-34", "criteria.lldas.haemolysis_missing", "bilag_haem_de"),
    # §4.1 (source rules with a config key): SS reduction >= 4, no new A, at most one new B.
    ("§4.1", "criteria.sri.selena_reduction_ge", 4),
    ("§4.1", "criteria.sri.bilag_new_a_max", 0),
    ("§4.1", "criteria.sri.bilag_new_b_max", 1),
    # §2.3: A = 12, B = 8, C = 1, D = 0, E = 0.
    ("§2.3", "scores.bilag_points", {"A": 12, "B": 8, "C": 1, "D": 0, "E": 0}),
    # §16.4 (i): FLARE in {MILD, MODERATE, SEVERE}.
    ("§16.4", "criteria.flare.investigator_levels", ["MILD", "MODERATE", "SEVERE"]),
    # §16.27: >= 2 conventional SLE treatments (IS_CONVENTIONAL or BIOLOGIC_TARGETED INNs, and
    # hydroxychloroquine), each >= 91 exposure days before CONSDT; IS washout 5 half-lives;
    # biologics 28 days; filgrastim, pegfilgrastim, lenograstim, sargramostim within 14 days
    # before the screening ANC.
    ("§16.27", "eligibility.refractory_min_drugs", 2),
    ("§16.27", "eligibility.refractory_min_days", 91),
    ("§16.27", "eligibility.refractory_classes", ["IS_CONVENTIONAL", "BIOLOGIC_TARGETED"]),
    ("§16.27", "eligibility.refractory_drugs", ["hydroxychloroquine"]),
    ("§16.27", "eligibility.washout_half_lives", 5),
    ("§16.27", "eligibility.washout_biologic_days", 28),
    (
        "§16.27",
        "eligibility.csf_drugs",
        ["filgrastim", "pegfilgrastim", "lenograstim", "sargramostim"],
    ),
    ("§16.27", "eligibility.csf_days_before_anc", 14),
)

#: §11 (D-31): label, lower day, target day, upper day of each scheduled window.
SPEC_WINDOWS = [
    ("DAY 14", 11, 14, 17),
    ("DAY 28", 25, 28, 31),
    ("MONTH 3", 77, 91, 105),
    ("MONTH 6", 168, 182, 196),
    ("MONTH 9", 259, 273, 287),
    ("MONTH 12", 335, 365, 395),
    ("MONTH 18", 517, 547, 577),
    ("MONTH 24", 700, 730, 760),
]

#: §8.1 / §16.8 (D-23): mg of each glucocorticoid equal to 5 mg prednisone.
SPEC_GC_EQUIVALENT_MG = {
    "prednisone": 5,
    "prednisolone": 5,
    "methylprednisolone": 4,
    "triamcinolone": 4,
    "hydrocortisone": 20,
    "cortisone": 25,
    "dexamethasone": 0.75,
    "betamethasone": 0.75,
    "deflazacort": 6,
}

#: §8.2 (D-23): class of the drugs the spec lists by INN.
SPEC_DRUG_CLASSES = {
    **dict.fromkeys(["hydroxychloroquine", "chloroquine", "quinacrine"], "ANTIMALARIAL"),
    **dict.fromkeys(
        [
            "mycophenolate mofetil",
            "mycophenolic acid",
            "azathioprine",
            "methotrexate",
            "cyclophosphamide",
            "tacrolimus",
            "ciclosporin",
            "voclosporin",
            "leflunomide",
            "sirolimus",
            "mizoribine",
            "iguratimod",
            "thalidomide",
            "mercaptopurine",
            "chlorambucil",
        ],
        "IS_CONVENTIONAL",
    ),
    **dict.fromkeys(
        [
            "belimumab",
            "anifrolumab",
            "rituximab",
            "obinutuzumab",
            "ocrelizumab",
            "telitacicept",
            "atacicept",
            "abatacept",
            "baricitinib",
            "tofacitinib",
            "upadacitinib",
            "deucravacitinib",
        ],
        "BIOLOGIC_TARGETED",
    ),
    "fludarabine": "LYMPHODEPLETION",
    **dict.fromkeys(["tocilizumab", "siltuximab", "anakinra"], "CART_TOXICITY_MGMT"),
    **dict.fromkeys(["immunoglobulin", "filgrastim"], "SUPPORTIVE"),
}

#: §16.23 (D-23): the contract's CMCLAS values and the §8.2 class each maps to.
SPEC_CMCLAS_CLASS = {
    "GLUCOCORTICOID": "GC_SYSTEMIC",
    "IMMUNOSUPPRESSANT": "IS_CONVENTIONAL",
    "BIOLOGIC": "BIOLOGIC_TARGETED",
    "CART_TOXICITY": "CART_TOXICITY_MGMT",
    "SUPPORTIVE": "SUPPORTIVE",
    "NSAID": "NSAID",
    "PLASMA_EXCHANGE": "PLASMA_EXCHANGE",
    "CART_RETREATMENT": "CART_RETREATMENT",
    "INVESTIGATIONAL": "INVESTIGATIONAL",
}

#: Keys checked by their own test above instead of a row of SPEC_VALUES.
STRUCTURED_KEYS = {
    ("D-23", "medications.dictionary"),
    ("D-23", "medications.cmclas_class"),
    ("D-31", "visits.windows"),
}

#: Alternatives the spec offers (sensitivity analyses), which the schema must accept.
SPEC_ALTERNATIVES = [
    ("criteria.doris.gc_operator", "lt"),  # E-01: run < 5 as sensitivity
    ("criteria.doris.pga_operator", "le"),  # §5.1, E-02: strict is only the default
    ("criteria.sri.pga_rule", "pct10"),  # §3 [D-10]: sensitivity switch
    ("endpoints.duration_death", "censor"),  # §6.3 [D-18]: competing-risk variant
    ("criteria.lldas.c2_include_bilag", True),  # §7.2 [D-20]
    ("endpoints.rescue_is_failure", False),  # §16.3: observed-case sensitivity
    ("medications.exclude_adrenal_replacement_le_pred_eq", 5),  # §8.3: e.g. <= 5 mg pred-eq
]

#: Defaults described in words in the decisions table, with the value they stand for.
WORDED = {
    "visits.windows": lambda v: (
        [(w["label"], w["lower_day"], w["target_day"], w["upper_day"]) for w in v] == SPEC_WINDOWS
    ),
    "medications.dictionary": lambda v: (
        v["prednisone"]["class"] == "GC_SYSTEMIC"
        and v["plasma exchange"]["class"] == "PLASMA_EXCHANGE"
    ),
    "medications.cmclas_class": lambda v: (
        v["GLUCOCORTICOID"] == "GC_SYSTEMIC" and v["OTHER"] is None
    ),
}

#: Keys whose schema allows exactly the one implemented reading (an enum of one value).
SINGLE_READING = {
    "visits.study_day_origin": "infusion_day_0",
    "scores.selena_glossary": "ecrf",
    "scores.bilag_grades": "recorded",
    "scores.doris_index": "clinical_sledai2k",
    "scores.lldas_index": "sledai2k",
    "criteria.doris.variants_2017": "doris2021_sledai_pga",
    "safety.icaht.between_draws": "hold_last_value",
    "endpoints.never_achieved_censor": "last_evaluable_assessment",
    "endpoints.death_before_achievement": "censor_cnsr2",
    "medications.shared_boundary_day": "starting_record",
    "eligibility.crcl_body_weight": "actual",
}

#: The three configurations a decision is checked in (see the module docstring).
SOURCES = ("config.yaml", "load_config", "study file")


def _rows() -> list[tuple[str, str, str, str]]:
    rows = [ROW.match(line) for line in DOC.read_text(encoding="utf-8").splitlines()]
    return [m.groups() for m in rows if m]


@functools.cache
def _config() -> dict[str, Any]:
    return load_config()


@functools.cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def _lookup(config: dict[str, Any], path: str) -> Any:
    value: Any = config
    for part in path.split("."):
        value = value[part]
    return value


def _schema_node(path: str) -> dict[str, Any]:
    node: dict[str, Any] = _schema()
    for part in path.split("."):
        node = node["properties"][part]
    return node


def _with(path: str, value: Any) -> dict[str, Any]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    *parents, last = path.split(".")
    section = config
    for part in parents:
        section = section[part]
    section[last] = value
    return config


def _same(actual: Any, expected: Any) -> bool:
    """Equal, with booleans and null only equal to themselves (``True == 1`` is not enough)."""
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_same(a, e) for a, e in zip(actual, expected, strict=True))
        )
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and actual.keys() == expected.keys()
            and all(_same(actual[k], e) for k, e in expected.items())
        )
    if isinstance(expected, (int, float)):
        return (
            isinstance(actual, (int, float)) and not isinstance(actual, bool) and actual == expected
        )
    return type(actual) is type(expected) and actual == expected


@pytest.fixture(scope="module", params=SOURCES)
def shipped(request, tmp_path_factory) -> dict[str, Any]:
    """The shipped configuration as written, as loaded, and as inherited by a study file."""
    if request.param == "config.yaml":
        return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    if request.param == "load_config":
        return _config()
    study = tmp_path_factory.mktemp("study") / "study.yaml"
    study.write_text('data:\n  data_cut: "2026-06-30"\n', encoding="utf-8")
    config = load_config(study)
    assert config["data"]["data_cut"] == "2026-06-30"
    return config


def _spec_ids() -> list[str]:
    return sorted(set(re.findall(r"\bD-\d\d\b", SPEC.read_text(encoding="utf-8"))))


def test_spec_decisions_are_d01_to_d34_without_d28():
    ids = _spec_ids()
    assert len(ids) == 33
    assert ids[0] == "D-01" and ids[-1] == "D-34" and "D-28" not in ids
    assert "D-23" in ids and "D-31" in ids


def test_every_spec_decision_has_a_spec_value():
    covered = {d for d, _, _ in SPEC_VALUES} | {d for d, _ in STRUCTURED_KEYS}
    assert [d for d in _spec_ids() if d not in covered] == []


def test_table_rows_are_parsed():
    assert len(_rows()) >= 60


@pytest.mark.parametrize("decision", _spec_ids())
def test_every_decision_has_a_row_in_the_table(decision):
    assert decision in {d for d, *_ in _rows()}


@pytest.mark.parametrize("decision", _spec_ids())
def test_every_decision_is_cited_in_the_config_comments(decision):
    assert re.search(rf"\b{decision}\b", CONFIG.read_text(encoding="utf-8")), decision


@pytest.mark.parametrize(
    ("decision", "key", "expected"), SPEC_VALUES, ids=[f"{d}-{k}" for d, k, _ in SPEC_VALUES]
)
def test_shipped_value_is_the_spec_value(shipped, decision, key, expected):
    value = _lookup(shipped, key)
    assert _same(value, expected), (decision, key, value, expected)


def test_d31_visit_windows_are_those_of_the_spec(shipped):
    windows = _lookup(shipped, "visits.windows")
    assert [(w["label"], w["lower_day"], w["target_day"], w["upper_day"]) for w in windows] == (
        SPEC_WINDOWS
    )
    # Month targets are floor(m x 365/12) (§11).
    assert [w["target_day"] for w in windows[2:]] == [91, 182, 273, 365, 547, 730]


def test_d23_glucocorticoid_equivalents_are_those_of_the_spec(shipped):
    dictionary = _lookup(shipped, "medications.dictionary")
    gc = {inn: e["equivalent_mg"] for inn, e in dictionary.items() if e["class"] == "GC_SYSTEMIC"}
    assert gc == SPEC_GC_EQUIVALENT_MG
    assert dictionary["cortisone"]["aliases"] == ["cortisone acetate"]


def test_d23_drug_classes_are_those_of_the_spec(shipped):
    dictionary = _lookup(shipped, "medications.dictionary")
    classes = {inn: dictionary[inn]["class"] for inn in SPEC_DRUG_CLASSES if inn in dictionary}
    assert classes == SPEC_DRUG_CLASSES


def test_d23_cmclas_values_map_to_the_spec_classes(shipped):
    mapping = _lookup(shipped, "medications.cmclas_class")
    assert {k: mapping.get(k) for k in SPEC_CMCLAS_CLASS} == SPEC_CMCLAS_CLASS


@pytest.mark.parametrize(("decision", "rule", "key", "default"), _rows())
def test_key_exists_with_its_documented_default(decision, rule, key, default):
    value = _lookup(_config(), key)
    if default.startswith("`") and default.endswith("`"):
        assert value == yaml.safe_load(default.strip("`")), (decision, key)
    else:
        assert key in WORDED, (decision, key, "default in words without a check")
        assert WORDED[key](value), (decision, key)


def _rows_with_a_spec_value() -> list[tuple[str, str, str, str]]:
    """Decision rows, and the § rows whose value the spec states (SRI k values it does not)."""
    typed = {(d, k) for d, k, _ in SPEC_VALUES}
    return [r for r in _rows() if r[0].startswith("D-") or (r[0], r[2]) in typed]


@pytest.mark.parametrize(("decision", "rule", "key", "default"), _rows_with_a_spec_value())
def test_documented_default_is_the_spec_value(decision, rule, key, default):
    spec = {(d, k): v for d, k, v in SPEC_VALUES}
    if (decision, key) in STRUCTURED_KEYS:
        assert key in WORDED, (decision, key)
    else:
        assert (decision, key) in spec, (decision, key, "row without a value typed from the spec")
        documented = yaml.safe_load(default.strip("`"))
        assert _same(documented, spec[decision, key]), (decision, key, documented)


@pytest.mark.parametrize(("decision", "rule", "key", "default"), _rows())
def test_key_is_described_in_the_schema(decision, rule, key, default):
    description = _schema_node(key).get("description", "")
    assert len(description) >= 10, (decision, key)


@pytest.mark.parametrize("key", sorted(SINGLE_READING))
def test_single_reading_keys_allow_only_the_implemented_value(key):
    node = _schema_node(key)
    assert node["enum"] == [SINGLE_READING[key]]
    assert _lookup(_config(), key) == SINGLE_READING[key]


@pytest.mark.parametrize("key", sorted(SINGLE_READING))
def test_single_reading_keys_reject_another_value(key):
    with pytest.raises(ConfigError, match=key.split(".")[-1]):
        validate_config(_with(key, "other"))


@pytest.mark.parametrize(("key", "value"), SPEC_ALTERNATIVES)
def test_spec_alternatives_pass_the_schema(key, value):
    assert _lookup(_config(), key) != value
    assert _same(_lookup(validate_config(_with(key, value)), key), value)


def test_duration_death_rejects_another_value():
    with pytest.raises(ConfigError, match="duration_death"):
        validate_config(_with("endpoints.duration_death", "competing"))


def test_decision_keys_are_required_by_the_schema():
    for _, _, key, _ in _rows():
        *parents, last = key.split(".")
        node = _schema_node(".".join(parents)) if parents else _schema()
        assert last in node["required"], key


def test_every_stage_builds_its_parameters_from_the_shipped_config():
    config = _config()
    scores = ScoreParams.from_config(config["scores"])
    criteria = Criteria.from_config(config["criteria"])
    endpoints = EndpointParams.from_config(config["endpoints"])
    medications = MedicationParams.from_config(config["medications"])
    safety = SafetyParams.from_config(config["safety"])
    visits = VisitParams.from_config(config["visits"])
    eligibility = EligibilityParams.from_config(
        config["eligibility"], baseline_window_days=config["visits"]["baseline_window_days"]
    )
    assert scores.selena_onset_missing == "bounds"
    assert criteria.doris.variants_2017 == "doris2021_sledai_pga"
    assert endpoints.duration_death == "event"
    assert eligibility.crcl_body_weight == "actual"
    assert medications.ld_drugs == ("fludarabine", "cyclophosphamide")
    assert (safety.ae_window_first_day, safety.ae_window_last_day) == (0, 91)
    assert visits.baseline_window_days == 42
    assert [w.label for w in visits.windows] == [w[0] for w in SPEC_WINDOWS]


def test_duration_death_censor_is_read_into_the_endpoint_parameters():
    section = _with("endpoints.duration_death", "censor")["endpoints"]
    assert EndpointParams.from_config(section).duration_death == "censor"
