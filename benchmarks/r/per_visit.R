# Per-visit rules of the outcomes pipeline written independently in R data.table.
#
#   Rscript per_visit.R EXPORT_DIR OUT_DIR [DATA_CUT] [EXCLUDED_CSV]
#
# Reads the export CSVs subjects, assessments and medications (data-contract.md §1; not labs,
# not adverse events) and writes OUT_DIR/per_visit.csv: one row per assessment with USUBJID,
# SRCSEQ (the assessment's 1-based data row in assessments.csv), VISIT, ADT and the derived
# values, named as the columns of adam/advisit (docs/architecture.md): study day, baseline,
# analysis visit, previous assessment, SLEDAI-2K / clinical SLEDAI-2K / SELENA-SLEDAI with their
# bounds, the prednisone-equivalent glucocorticoid dose on the assessment date, the medication
# flags, and DORIS 2021, drug-free DORIS (and its strict reading), LLDAS and SRI-4 with their
# component flags. Flags are three-valued: NA = not evaluable (endpoints.md §0).
#
# Rules: docs/endpoints.md §1, §3-§8, §11 and §16 (which governs), with the defaults of
# config/config.yaml ([D-nn]); the constants below are those defaults. DATA_CUT (ISO date) is
# applied as the pipeline's data cut (§16.2): records dated after it are dropped and later end,
# lymphodepletion and infusion dates are blanked. Validation is not repeated here; given the
# validator's validation/excluded.csv (EXCLUDED_CSV), its actions are applied before the cut as
# the pipeline applies them (data-contract.md §1.6): RECORD EXCLUDED drops the record, VALUE SET
# MISSING blanks the cell. Without it nothing is excluded (compare on the assessments of advisit).
#
# Vectorised throughout: keyed and non-equi joins, shifts over the whole sorted table; no loop
# over subjects (the only loops run over the 24 SLEDAI items, 9 BILAG domains and 3 windows).

suppressPackageStartupMessages(library(data.table))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2L) {
  stop("usage: Rscript per_visit.R EXPORT_DIR OUT_DIR [DATA_CUT] [EXCLUDED_CSV]")
}
export_dir <- args[[1L]]
out_dir <- args[[2L]]
data_cut <- if (length(args) >= 3L && nzchar(args[[3L]])) as.IDate(args[[3L]]) else NA
excluded <- if (length(args) >= 4L) fread(args[[4L]], colClasses = "character") else NULL
no_end <- as.IDate("9999-12-31")  # "active until the cut" without a cut

# ---- Constants: config/config.yaml defaults -------------------------------------------------

# §1.2: the 24 SLEDAI-2K descriptors, weight, serological, LLDAS major organ (§7.1).
sledai <- data.table(
  item = c("SEIZURE", "PSYCHOSIS", "ORGANIC_BRAIN_SYNDROME", "VISUAL_DISTURBANCE",
           "CRANIAL_NERVE", "LUPUS_HEADACHE", "CVA", "VASCULITIS", "ARTHRITIS", "MYOSITIS",
           "URINARY_CASTS", "HEMATURIA", "PROTEINURIA", "PYURIA", "RASH", "ALOPECIA",
           "MUCOSAL_ULCERS", "PLEURISY", "PERICARDITIS", "LOW_COMPLEMENT",
           "INCREASED_DNA_BINDING", "FEVER", "THROMBOCYTOPENIA", "LEUKOPENIA"),
  weight = c(8, 8, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1),
  sero = c(rep(FALSE, 19), TRUE, TRUE, rep(FALSE, 3)),
  major = c(rep(TRUE, 8), FALSE, FALSE, rep(TRUE, 4), FALSE, FALSE, FALSE, TRUE, TRUE,
            FALSE, FALSE, TRUE, FALSE, FALSE)
)
sledai[, col := paste0("SLEDAI_", item)]
selena_onset <- c("RASH", "ALOPECIA", "MUCOSAL_ULCERS", "PROTEINURIA")  # §1.3 [D-06]
bilag_cols <- paste0("BILAG_", c("CONST", "MUCO", "NEURO", "MSK", "CARDIO", "GI", "OPHTH",
                                 "RENAL", "HAEM"))

# §11 [D-31] windows (study days, inclusive); §16.5 baseline window.
windows <- data.table(
  AVISIT = c("DAY 14", "DAY 28", "MONTH 3", "MONTH 6", "MONTH 9", "MONTH 12", "MONTH 18",
             "MONTH 24"),
  AVISITN = c(1L, 2L, 3L, 6L, 9L, 12L, 18L, 24L),
  lower = c(11L, 25L, 77L, 168L, 259L, 335L, 517L, 700L),
  target = c(14L, 28L, 91L, 182L, 273L, 365L, 547L, 730L),
  upper = c(17L, 31L, 105L, 196L, 287L, 395L, 577L, 760L)
)
baseline_window_days <- 42L

# §8.1 / §16.8: prednisone-equivalent factor 5 / equivalent_mg, held as f60 = factor x 60 so
# every factor is an integer (equivalent mg 5, 4, 20, 25, 0.75, 6 -> 60, 75, 15, 12, 400, 50).
# §8.2 [D-23] classes, §7.1 / §16.11 LLDAS C5 maxima (mg/day as num/den), §16.10 exposure days.
drugs <- data.table(
  DRUG = c("prednisone", "prednisolone", "methylprednisolone", "triamcinolone",
           "hydrocortisone", "cortisone", "dexamethasone", "betamethasone", "deflazacort",
           "hydroxychloroquine", "chloroquine", "quinacrine",
           "mycophenolate mofetil", "mycophenolic acid", "azathioprine", "methotrexate",
           "leflunomide", "cyclophosphamide", "tacrolimus", "ciclosporin", "voclosporin",
           "sirolimus", "mizoribine", "iguratimod", "thalidomide", "mercaptopurine",
           "chlorambucil",
           "belimumab", "anifrolumab", "rituximab", "obinutuzumab", "ocrelizumab", "ofatumumab",
           "telitacicept", "atacicept", "abatacept", "baricitinib", "tofacitinib",
           "upadacitinib", "deucravacitinib",
           "fludarabine", "tocilizumab", "siltuximab", "anakinra",
           "immunoglobulin", "filgrastim", "pegfilgrastim", "lenograstim", "sargramostim",
           "aciclovir", "valaciclovir", "sulfamethoxazole/trimethoprim", "fluconazole",
           "posaconazole", "levofloxacin", "entecavir",
           "ibuprofen", "naproxen", "diclofenac", "celecoxib", "meloxicam", "indometacin",
           "etoricoxib", "plasma exchange"),
  DCLASS = c(rep("GC_SYSTEMIC", 9), rep("ANTIMALARIAL", 3), rep("IS_CONVENTIONAL", 15),
             rep("BIOLOGIC_TARGETED", 13), "LYMPHODEPLETION", rep("CART_TOXICITY_MGMT", 3),
             rep("SUPPORTIVE", 12), rep("NSAID", 7), "PLASMA_EXCHANGE"),
  f60 = c(60, 60, 75, 75, 15, 12, 400, 400, 50, rep(NA, 55)),
  cap_num = c(rep(NA, 12), 3000, 2160, 200, 30, 20, rep(NA, 47)),
  cap_den = c(rep(NA, 12), 1, 1, 1, 7, 1, rep(NA, 47)),
  expo_days = c(rep(NA, 29), rep(180L, 4), rep(NA, 31))
)
aliases <- data.table(
  name = c("cortisone acetate", "mepacrine", "mycophenolate sodium", "cyclosporine",
           "cyclosporin", "6-mercaptopurine", "ivig", "intravenous immunoglobulin",
           "immune globulin", "g-csf", "gm-csf", "acyclovir", "valacyclovir", "co-trimoxazole",
           "cotrimoxazole", "trimethoprim-sulfamethoxazole", "indomethacin", "plasmapheresis",
           "therapeutic plasma exchange"),
  DRUG = c("cortisone", "quinacrine", "mycophenolic acid", "ciclosporin", "ciclosporin",
           "mercaptopurine", "immunoglobulin", "immunoglobulin", "immunoglobulin", "filgrastim",
           "sargramostim", "aciclovir", "valaciclovir", "sulfamethoxazole/trimethoprim",
           "sulfamethoxazole/trimethoprim", "sulfamethoxazole/trimethoprim", "indometacin",
           "plasma exchange", "plasma exchange")
)
names_to_inn <- rbind(drugs[, .(name = DRUG, DRUG)], aliases)
cmclas_class <- c(GLUCOCORTICOID = "GC_SYSTEMIC", ANTIMALARIAL = "ANTIMALARIAL",
                  IMMUNOSUPPRESSANT = "IS_CONVENTIONAL", BIOLOGIC = "BIOLOGIC_TARGETED",
                  LYMPHODEPLETION = "LYMPHODEPLETION", CART_TOXICITY = "CART_TOXICITY_MGMT",
                  SUPPORTIVE = "SUPPORTIVE", NSAID = "NSAID", PLASMA_EXCHANGE = "PLASMA_EXCHANGE",
                  CART_RETREATMENT = "CART_RETREATMENT", INVESTIGATIONAL = "INVESTIGATIONAL")
systemic_routes <- c("ORAL", "INTRAVENOUS", "INTRAMUSCULAR", "SUBCUTANEOUS")        # [D-22]
systemic_only <- c("GC_SYSTEMIC", "IS_CONVENTIONAL", "BIOLOGIC_TARGETED", "INVESTIGATIONAL")
is_bio <- c("IS_CONVENTIONAL", "BIOLOGIC_TARGETED")
# Units to ug (unit_to_mg x 1000) and frequencies as administrations x (28 / per_days), so a
# record's mg/day x 1e4 x 1000 x 28 is an integer for doses recorded with up to 4 decimals.
unit_ug <- c(mg = 1000, g = 1e6, ug = 1)
freq <- data.table(
  CMDOSFRQ = c("QD", "BID", "TID", "QID", "QOD", "QW", "Q2W", "Q4W", "ONCE"),
  per28 = c(28, 56, 84, 112, 14, 4, 2, 1, 28),
  tail = c(0L, 0L, 0L, 0L, 0L, 6L, 13L, 27L, 0L)
)
mg_den <- 1e4 * 1000 * 28                       # denominator of the mg/day numerators
pe_den <- mg_den * 60                           # ... and of the prednisone-equivalent ones
once_exposure_default <- 28L                    # §16.10
ld_drugs <- c("fludarabine", "cyclophosphamide")  # §8.2 LD window Day -5 ... -1
cart_indications <- c("CRS", "ICANS", "IEC-HS", "LICATS")

# Recorded decimals, rounded half up (§0 [D-01], §16.8): value x 10^d as an integer. Exact for
# values recorded with up to 6 decimals (the guard is far below one unit of the 7th).
fixed <- function(x, d) floor(x * 10^d + 0.5 + 1e-6)

# ---- Read ------------------------------------------------------------------------------------

read <- function(name, ...) {
  fread(file.path(export_dir, paste0(name, ".csv")), na.strings = "", showProgress = FALSE, ...)
}
subj <- read("subjects", select = c("USUBJID", "CONSDT", "LDFL", "LDSTDT", "INFDT"),
             colClasses = list(IDate = c("CONSDT", "LDSTDT", "INFDT")))
asm <- read("assessments",
            select = c("USUBJID", "VISIT", "ASMDT", sledai$col,
                       paste0("SLEDAI_", selena_onset, "_NEW"), "PGA", bilag_cols, "HAEMOLYSIS"),
            colClasses = list(IDate = "ASMDT", integer = sledai$col,
                              character = c("VISIT", paste0("SLEDAI_", selena_onset, "_NEW"),
                                            bilag_cols, "HAEMOLYSIS")))
med <- read("medications",
            colClasses = list(IDate = c("CMSTDT", "CMENDT"),
                              character = c("CMTRT", "CMCLAS", "CMDOSU", "CMDOSFRQ", "CMROUTE",
                                            "CMINDC")))
asm[, SRCSEQ := .I]                             # §16.21: ROW = 1-based data record = SRCSEQ

# The validator's actions on one table (rows are 1-based data records, §16.21).
apply_excluded <- function(dt, table) {
  if (is.null(excluded) || !nrow(excluded)) return(dt)
  mine <- excluded[TABLE == table]
  blank <- mine[ACTION == "VALUE SET MISSING" & COLUMN %in% names(dt)]
  for (cl in unique(blank$COLUMN)) set(dt, as.integer(blank[COLUMN == cl, ROW]), cl, NA)
  dt[!seq_len(.N) %in% as.integer(mine[ACTION == "RECORD EXCLUDED", ROW])]
}
subj <- apply_excluded(subj, "subjects")
asm <- apply_excluded(asm, "assessments")
med <- apply_excluded(med, "medications")

# ---- Data cut (§16.2) ------------------------------------------------------------------------

if (!is.na(data_cut)) {
  subj <- subj[is.na(CONSDT) | CONSDT <= data_cut]
  subj[LDSTDT > data_cut, LDSTDT := NA]
  subj[INFDT > data_cut, INFDT := NA]
  asm <- asm[is.na(ASMDT) | ASMDT <= data_cut]
  med <- med[is.na(CMSTDT) | CMSTDT <= data_cut]
  med[CMENDT > data_cut, CMENDT := NA]
}
cut_end <- if (is.na(data_cut)) no_end else data_cut

# ---- Assessments: study day, baseline, visits, previous assessment (§11, §16.5, §16.9) -------

setnames(asm, "ASMDT", "ADT")
asm[subj, on = "USUBJID", `:=`(TRTSDT = i.INFDT, LDFL = i.LDFL, LDSTDT = i.LDSTDT)]
setorder(asm, USUBJID, ADT, SRCSEQ)
asm[, `:=`(rid = .I, sid = rleid(USUBJID))]
asm[, ADY := as.integer(ADT - TRTSDT)]                                          # [D-02]

# Baseline (§16.5): the latest assessment before LDSTDT (INFDT without LD), at most 42 days
# before it; of two on that date the later data row (rows are sorted by ADT, SRCSEQ).
asm[, anchor := fifelse(!is.na(LDFL) & LDFL == "Y", LDSTDT, TRTSDT)]
elig <- asm[!is.na(anchor) & ADT < anchor & ADT >= anchor - baseline_window_days,
            .(rid = rid[.N]), by = sid]
asm[, ABLFL := FALSE][elig$rid, ABLFL := TRUE]
asm[, has_bl := sid %in% elig$sid]

# Analysis visit (§11, E-27): the window holding ADY; per subject and window the record whose
# VISIT is the label, else nearest the target, tie -> earlier (ADT, SRCSEQ).
asm[windows, on = .(ADY >= lower, ADY <= upper),
    `:=`(AVISIT = i.AVISIT, AVISITN = i.AVISITN, target = i.target)]
asm[(ABLFL), `:=`(AVISIT = "BASELINE", AVISITN = 0L, target = NA_integer_)]
cand <- asm[!is.na(target), .(rid, sid, AVISITN, other = is.na(VISIT) | VISIT != AVISIT,
                              dist = abs(ADY - target), ADT, SRCSEQ)]
setorder(cand, sid, AVISITN, other, dist, ADT, SRCSEQ)
asm[, ANL01FL := ABLFL][cand[!duplicated(cand, by = c("sid", "AVISITN")), rid], ANL01FL := TRUE]

# The row of the latest earlier assessment of the same subject where `flag` holds.
last_before <- function(flag) {
  r <- nafill(shift(fifelse(flag, asm$rid, NA_integer_)), "locf")
  r[!is.na(r) & asm$sid[r] != asm$sid] <- NA_integer_
  r
}
# Previous assessment (§7.2 C2, E-13, §16.24): post-infusion rows of a subject with a baseline
# look back among the baseline and post-infusion rows; other rows to the row just before.
post <- !is.na(asm$ADY) & asm$ADY > 0
prev_row <- fifelse(post & asm$has_bl, last_before(asm$ABLFL | post),
                    last_before(rep(TRUE, nrow(asm))))
asm[, PRVSEQ := SRCSEQ[prev_row]]
# Stability reference (D-14, §16.9, §16.24): date of the previous scheduled assessment, or of
# the baseline before the first post-infusion scheduled visit.
ref_row <- last_before(asm$ABLFL | (asm$ANL01FL & !is.na(asm$AVISITN) & asm$AVISITN > 0))
asm[, STBREFDT := fifelse(post, ADT[ref_row], as.IDate(NA))]

# ---- Scores (§1.1-§1.3, E-05, E-32, §16.12, §16.24) -------------------------------------------
# Lower bound: a missing descriptor is absent; upper bound: present; the score only when equal.
# SELENA-SLEDAI scores rash, alopecia, ulcers, proteinuria only when new or recurrent (_NEW = Y).

lo2k <- hi2k <- loc <- hic <- los <- his <- 0
for (k in seq_len(nrow(sledai))) {
  bit <- asm[[sledai$col[k]]]
  w <- sledai$weight[k]
  p_lo <- !is.na(bit) & bit == 1L
  p_hi <- is.na(bit) | bit == 1L
  lo2k <- lo2k + w * p_lo
  hi2k <- hi2k + w * p_hi
  if (!sledai$sero[k]) {
    loc <- loc + w * p_lo
    hic <- hic + w * p_hi
  }
  if (sledai$item[k] %in% selena_onset) {
    new <- asm[[paste0(sledai$col[k], "_NEW")]]
    los <- los + w * (p_lo & !is.na(new) & new == "Y")
    his <- his + w * (p_hi & (is.na(new) | new == "Y"))
  } else {
    los <- los + w * p_lo
    his <- his + w * p_hi
  }
}
value <- function(lo, hi) fifelse(lo == hi, lo, NA_real_)
asm[, `:=`(SDK2KLO = lo2k, SDK2KHI = hi2k, SLEDAI2K = value(lo2k, hi2k),
           CSLEDLO = loc, CSLEDHI = hic, CSLEDAI = value(loc, hic),
           SELENALO = los, SELENAHI = his, SELENA = value(los, his))]
asm[, PGA100 := fixed(PGA, 2)]                                                    # [D-01]

# ---- Medications (§8.1-§8.3, §16.6, §16.10, §16.11, §16.23, §16.24, D-33) --------------------

med[, DRUG := tolower(trimws(CMTRT))]
med[names_to_inn, on = c(DRUG = "name"), DRUG := i.DRUG]
med[drugs, on = "DRUG", `:=`(DCLASS = i.DCLASS, f60 = i.f60, cap_num = i.cap_num,
                             cap_den = i.cap_den, expo_days = i.expo_days)]
med[, CLASS := fcoalesce(unname(cmclas_class[CMCLAS]), DCLASS, "OTHER")]          # §16.23
med[subj, on = "USUBJID", INFDT := i.INFDT]
med[DRUG %in% ld_drugs & is.na(CMCLAS) & !is.na(INFDT) &
      as.integer(CMSTDT - INFDT) %between% c(-5L, -1L), CLASS := "LYMPHODEPLETION"]  # §8.2
med[, SYSTEMFL := !is.na(CMROUTE) & CMROUTE %in% systemic_routes]                 # [D-22]
med[, EXPOFL := SYSTEMFL | !(CLASS %in% systemic_only)]
med[, SLEFL := (!is.na(CMINDC) & CMINDC == "SLE") |                              # §16.6
      (is.na(CMINDC) & CLASS %in% c("IS_CONVENTIONAL", "BIOLOGIC_TARGETED", "GC_SYSTEMIC") &
         EXPOFL)]
med[, INDCGRP := fifelse(is.na(CMINDC) & SLEFL, "SLE", fcoalesce(CMINDC, "(MISSING)"))]
med[, CARTTXFL := (!is.na(CMINDC) & CMINDC %in% cart_indications) |
      CLASS == "CART_TOXICITY_MGMT"]                                              # §8.3
med[, GCFL := (CLASS == "GC_SYSTEMIC" | (CLASS == "CART_TOXICITY_MGMT" & !is.na(f60))) &
      SYSTEMFL]                                                                   # E-09
# mg/day numerator (§16.11): dose x 1e4 x ug per unit x administrations per 28 days, exact
# integers in doubles (a dose recorded with more than 4 decimals is rounded to 4 here, where the
# pipeline keeps 9; none of the exports has one).
med[freq, on = "CMDOSFRQ", `:=`(per28 = i.per28, tail = i.tail)]
med[, MG := fixed(CMDOSE, 4) * unname(unit_ug[CMDOSU]) * per28]
med[, PE := MG * f60]                                                             # §8.1
med[, OVRFL := fifelse(is.na(cap_num), FALSE, MG * cap_den > cap_num * mg_den) &  # §16.11
      CLASS %in% is_bio]

# Active window (§16.10, §16.24, D-33): ONCE on its start day (biologics exposure_days, else
# 28); CMENDT plus the weekly tail; no CMENDT: to the cut. A later record of the same drug (INN
# and indication group) ends it the day before it starts; nothing is active after the cut.
setorder(med, USUBJID, DRUG, INDCGRP, CMSTDT, CMSEQ)
med[, grp := rleid(USUBJID, DRUG, INDCGRP)]
med[, next_start := shift(CMSTDT, -1L)]
med[grp != shift(grp, -1L, fill = 0L), next_start := NA]
once_days <- fifelse(med$CLASS == "BIOLOGIC_TARGETED",
                     fcoalesce(med$expo_days, once_exposure_default), 1L)
med[, recorded_end := fifelse(!is.na(CMDOSFRQ) & CMDOSFRQ == "ONCE", CMSTDT + (once_days - 1L),
                              fifelse(!is.na(CMENDT), CMENDT + fcoalesce(tail, 0L), cut_end))]
med[, `:=`(ASTDT = CMSTDT,
           AENDT = pmin(recorded_end, next_start - 1L, cut_end, na.rm = TRUE))]
# New course or dose increase (§8.4, D-14): a record continues the previous record of the same
# drug when that one was active up to the day before this start.
med[, `:=`(prev_end = shift(AENDT), prev_mg = shift(MG))]
med[grp != shift(grp, fill = 0L), `:=`(prev_end = NA, prev_mg = NA)]
med[, NEWFL := is.na(prev_end) | prev_end < CMSTDT - 1L]
med[, CHANGE := NEWFL | (MG > prev_mg)]                  # NA: a dose increase cannot be told

# Daily dose and exposure on each assessment date: all records active on ADT (non-equi join).
gc_sle <- med$GCFL & med$SLEFL & !med$CARTTXFL
med[, `:=`(
  pe_gc = fifelse(GCFL & !is.na(PE), PE, 0), unk_gc = GCFL & is.na(PE),
  pe_sle = fifelse(gc_sle & !is.na(PE), PE, 0), unk_sle = gc_sle & is.na(PE),
  is = EXPOFL & CLASS == "IS_CONVENTIONAL", bio = EXPOFL & CLASS == "BIOLOGIC_TARGETED",
  am = EXPOFL & CLASS == "ANTIMALARIAL", inv = EXPOFL & CLASS == "INVESTIGATIONAL",
  ovr = EXPOFL & CLASS %in% is_bio & !is.na(OVRFL) & OVRFL,
  ovr_unk = EXPOFL & CLASS %in% is_bio & is.na(OVRFL)
)]
on_date <- med[asm[!is.na(ADT), .(USUBJID, ADT, rid)],
               on = .(USUBJID, ASTDT <= ADT, AENDT >= ADT), nomatch = NULL,
               allow.cartesian = TRUE,
               .(rid = i.rid, pe_gc, unk_gc, pe_sle, unk_sle, is, bio, am, inv, ovr, ovr_unk)]
on_date <- on_date[, lapply(.SD, sum), by = rid]
asm[, c("pe_gc", "unk_gc", "pe_sle", "unk_sle", "is", "bio", "am", "inv", "ovr", "ovr_unk") := 0]
asm[on_date, on = "rid", c("pe_gc", "unk_gc", "pe_sle", "unk_sle", "is", "bio", "am", "inv",
                           "ovr", "ovr_unk") :=
      .(i.pe_gc, i.unk_gc, i.pe_sle, i.unk_sle, i.is, i.bio, i.am, i.inv, i.ovr, i.ovr_unk)]
# §16.8: the day's exact sum rounded half up once, to 4 decimals (GC4 = mg x 1e4); E-11: 0
# when nothing is active; NA when a counted dose is unknown.
round4 <- function(n) (2 * n + pe_den / 1e4) %/% (2 * pe_den / 1e4)
asm[, GC4 := fifelse(unk_gc > 0 | is.na(ADT), NA_real_, round4(pe_gc))]
asm[, GCSLE4 := fifelse(unk_sle > 0 | is.na(ADT), NA_real_, round4(pe_sle))]
asm[, `:=`(GCDOSE = GC4 / 1e4, GCSLEDOS = GCSLE4 / 1e4,
           ISFL = is > 0, BIOFL = bio > 0, AMFL = am > 0, INVFL = inv > 0,
           ISOVRFL = fifelse(ovr > 0, TRUE, fifelse(ovr_unk > 0, NA, FALSE)))]

# IS/biologic stability (D-14, §16.9): no record of an IS or biologic that starts a new course
# or raises the dose in (STBREFDT, ADT].
moves <- med[EXPOFL & CLASS %in% is_bio & (is.na(CHANGE) | CHANGE) & !is.na(CMSTDT),
             .(USUBJID, CMSTDT, CMSTDT2 = CMSTDT, CHANGE)]
moved <- moves[asm[!is.na(STBREFDT) & !is.na(ADT), .(USUBJID, STBREFDT, ADT, rid)],
               on = .(USUBJID, CMSTDT > STBREFDT, CMSTDT2 <= ADT), nomatch = NULL,
               allow.cartesian = TRUE,
               .(rid = i.rid, yes = !is.na(CHANGE), unk = is.na(CHANGE))]
moved <- moved[, .(yes = sum(yes), unk = sum(unk)), by = rid]
asm[, ISSTBLFL := fifelse(is.na(STBREFDT) | is.na(ADT), NA, TRUE)]
asm[moved, on = "rid", ISSTBLFL := fifelse(i.yes > 0, FALSE, fifelse(i.unk > 0, NA, ISSTBLFL))]

# ---- Three-valued criteria (§0: FALSE if any FALSE, else NA if any NA; R's & and | do this) --

bounded_le <- function(lo, hi, t) fifelse(hi <= t, TRUE, fifelse(lo > t, FALSE, NA))
bounded_ge <- function(lo, hi, t) fifelse(lo >= t, TRUE, fifelse(hi < t, FALSE, NA))
all3 <- function(...) Reduce(`&`, list(...))
any3 <- function(...) Reduce(`|`, list(...))
in_set <- function(x, set) fifelse(is.na(x), NA, x %in% set)

# DORIS 2021 (§5.1 [D-12], [D-13], [D-14]): clinical SLEDAI-2K = 0, PGA < 0.5, pred-eq <= 5,
# IS/biologics stable.
asm[, `:=`(DORSLEFL = bounded_le(CSLEDLO, CSLEDHI, 0), DORPGAFL = PGA100 < 50,
           DORGCFL = GC4 <= 5e4, DORSTBFL = ISSTBLFL)]
asm[, DORISFL := all3(DORSLEFL, DORPGAFL, DORGCFL, DORSTBFL)]
# Drug-free DORIS (§6.2 [D-16], §16.24): pred-eq = 0, no IS, biologic or investigational drug
# active; the strict reading also no antimalarial.
asm[, `:=`(DFGCFL = GC4 == 0, DFISFL = !ISFL & !BIOFL & !INVFL, DFAMFL = !AMFL)]
asm[, DFREMFL := all3(DORSLEFL, DORPGAFL, DFGCFL, DFISFL)]
asm[, DFREMSFL := DFREMFL & DFAMFL]

# LLDAS (§7.1, §7.2 [D-20], [D-34], §16.11-§16.13).
# C1: SLEDAI-2K <= 4, no major-organ item, no haemolysis (missing: BILAG HAEM D/E = absent),
# no GI activity (BILAG GI A-C).
major <- do.call(any3, lapply(sledai[(major), col], function(cl) asm[[cl]] == 1L))
no_haem <- fifelse(!is.na(asm$HAEMOLYSIS) & asm$HAEMOLYSIS == "Y", FALSE,
                   fifelse(!is.na(asm$HAEMOLYSIS) & asm$HAEMOLYSIS == "N", TRUE,
                           fifelse(!is.na(asm$BILAG_HAEM) & asm$BILAG_HAEM %in% c("D", "E"),
                                   TRUE, NA)))
asm[, LLC1FL := all3(bounded_le(SDK2KLO, SDK2KHI, 4), !major, no_haem,
                     in_set(BILAG_GI, c("D", "E")))]
# C2: no SLEDAI-2K item (all 24) present now that was absent at the previous assessment.
new_items <- lapply(sledai$col, function(cl) {
  now <- asm[[cl]]
  (now == 1L) & !(now[prev_row] == 1L)
})
asm[, LLC2FL := !do.call(any3, new_items)]
# C3 PGA <= 1; C4 pred-eq <= 7.5; C5 no IS/biologic above its maintenance maximum and no
# investigational drug (the CAR-T product and lymphodepletion are neither, E-12).
asm[, `:=`(LLC3FL = PGA100 <= 100, LLC4FL = GC4 <= 75000, LLC5FL = !ISOVRFL & !INVFL)]
asm[, LLDASFL := all3(LLC1FL, LLC2FL, LLC3FL, LLC4FL, LLC5FL)]

# SRI-4 (§4.1, §4.3 [D-10], [D-11], E-22, E-31, §16.12, §16.24) versus the baseline, at every
# post-infusion assessment of a subject with a baseline (observed state, no imputation).
bl_row <- asm[(ABLFL), .(sid, rid)][asm[, .(sid)], on = "sid", rid]
bl <- function(cl) asm[[cl]][bl_row]
# New BILAG A / B per domain; best case: a missing domain at its baseline grade, worst case:
# graded A (for the A count) or B (for the B count); NA when a baseline grade is missing.
new_a_lo <- new_a_hi <- new_b_lo <- 0
bl_known <- TRUE
for (cl in bilag_cols) {
  now <- asm[[cl]]
  base <- bl(cl)
  bl_known <- bl_known & !is.na(base)
  best <- fcoalesce(now, base)
  new_a_lo <- new_a_lo + (best == "A" & base != "A")
  new_a_hi <- new_a_hi + (fcoalesce(now, "A") == "A" & base != "A")
  new_b_lo <- new_b_lo + (best == "B" & base %in% c("C", "D", "E"))
}
new_a_lo[!bl_known] <- NA
new_a_hi[!bl_known] <- NA
new_b_lo[!bl_known] <- NA
sri_on <- post & asm$has_bl
only_post <- function(x) fifelse(sri_on, x, NA)
best <- new_a_lo <= 0 & new_b_lo <= 1
worst <- new_a_hi <= 0 & new_b_lo <= 1
asm[, SRISSFL := only_post(bounded_ge(bl("SELENALO") - SELENAHI, bl("SELENAHI") - SELENALO, 4))]
asm[, SRIBILFL := only_post(fifelse(best == worst, best, NA))]
asm[, SRIPGAFL := only_post(PGA100 - bl("PGA100") < 30)]
asm[, SRI4FL := all3(SRISSFL, SRIBILFL, SRIPGAFL)]

# ---- Write -----------------------------------------------------------------------------------

dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
fwrite(asm[, .(USUBJID, SRCSEQ, VISIT, ADT, ADY, ABLFL, AVISIT, ANL01FL, PRVSEQ, STBREFDT,
               SLEDAI2K, SDK2KLO, SDK2KHI, CSLEDAI, CSLEDLO, CSLEDHI, SELENA, SELENALO,
               SELENAHI, GCDOSE, GCSLEDOS, ISFL, BIOFL, AMFL, INVFL, ISOVRFL, ISSTBLFL,
               DORSLEFL, DORPGAFL, DORGCFL, DORSTBFL, DORISFL, DFGCFL, DFISFL, DFAMFL, DFREMFL,
               DFREMSFL, LLC1FL, LLC2FL, LLC3FL, LLC4FL, LLC5FL, LLDASFL, SRISSFL, SRIBILFL,
               SRIPGAFL, SRI4FL)],
       file.path(out_dir, "per_visit.csv"))
