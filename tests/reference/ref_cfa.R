# Golden files for kemitraan_assess.stats.cfa (confirmatory factor analysis).
#
# Run from the repository root:
#   Rscript tests/reference/ref_cfa.R
# Writes tests/reference/data/holzinger_swineford.csv (lavaan::HolzingerSwineford1939, the
# nine tests x1..x9, 17 significant digits so the doubles round-trip exactly) and JSON
# (jsonlite, digits = NA: maximum precision) into tests/reference/cfa/.
# Both models are fitted on the CSV files, so Python and R read the very same numbers.
# Every fit uses lavaan's defaults: estimator = "ML", likelihood = "normal" (S divides by
# N), missing = "listwise", se = "standard" from the expected information, marker-variable
# identification (first loading = 1) unless std.lv = TRUE.
# Each model is written twice: "<name>.json" with lavaan's default optimiser (nlminb, which
# stops once the objective changes by < 1e-10 relative: estimates then carry ~1e-5 of
# optimiser noise on bfi) and "<name>_gn.json" with lavaan's Gauss-Newton optimiser run to
# a step of 1e-12 (optim.method = "GN", optim.gn.tol.x = 1e-12), the fully converged
# optimum against which the estimates themselves can be checked tightly.
suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

data_dir <- file.path("tests", "reference", "data")
out_dir <- file.path("tests", "reference", "cfa")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

# ---- data ------------------------------------------------------------------------------------
hs_x <- HolzingerSwineford1939[, paste0("x", 1:9)]
hs_txt <- as.data.frame(lapply(hs_x, function(v) sprintf("%.17g", v)))
write.csv(hs_txt, file.path(data_dir, "holzinger_swineford.csv"), row.names = FALSE, quote = FALSE)
hs <- read.csv(file.path(data_dir, "holzinger_swineford.csv"))
stopifnot(identical(unname(as.matrix(hs)), unname(as.matrix(hs_x))))
bfi <- read.csv(file.path(data_dir, "bfi.csv"), na.strings = "")

versions <- list(
  R = paste(R.version$major, R.version$minor, sep = "."),
  lavaan = as.character(packageVersion("lavaan")),
  jsonlite = as.character(packageVersion("jsonlite"))
)

fit_names <- c("npar", "fmin", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
               "baseline.pvalue", "cfi", "tli", "logl", "unrestricted.logl", "aic", "bic",
               "ntotal", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue",
               "srmr", "srmr_bentler")

golden <- function(fit, call, structure) {
  pe <- parameterEstimates(fit)
  ss <- standardizedSolution(fit)
  fm <- fitMeasures(fit, fit_names)
  list(
    call = call,
    structure = structure,
    n_used = lavInspect(fit, "nobs"),
    n_original = lavInspect(fit, "norig"),
    converged = lavInspect(fit, "converged"),
    iterations = lavInspect(fit, "iterations"),
    sample_cov = unname(lavInspect(fit, "sampstat")$cov[, ]),
    implied_cov = unname(lavInspect(fit, "implied")$cov[, ]),
    parameter_estimates = pe[, c("lhs", "op", "rhs", "est", "se", "z", "pvalue",
                                 "ci.lower", "ci.upper")],
    standardized_solution = ss[, c("lhs", "op", "rhs", "est.std", "se", "z", "pvalue")],
    fit_measures = as.list(setNames(as.numeric(fm), names(fm))),
    versions = versions
  )
}

write_golden <- function(x, name) {
  writeLines(
    toJSON(x, digits = NA, auto_unbox = TRUE, matrix = "rowmajor", na = "null",
           dataframe = "rows", pretty = TRUE),
    file.path(out_dir, paste0(name, ".json"))
  )
}

to_syntax <- function(structure) {
  paste(sprintf("%s =~ %s", names(structure),
                vapply(structure, paste, character(1), collapse = " + ")),
        collapse = "\n")
}

# ---- Holzinger & Swineford (1939): the classic three-factor model ----------------------------
hs_structure <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                     speed = c("x7", "x8", "x9"))
hs_model <- to_syntax(hs_structure)
gn <- ', optim.method = "GN", optim.gn.tol.x = 1e-12'
write_golden(golden(cfa(hs_model, data = hs), "lavaan::cfa(HS.model, data = hs)",
                    hs_structure), "hs_marker")
write_golden(golden(cfa(hs_model, data = hs, optim.method = "GN", optim.gn.tol.x = 1e-12),
                    paste0("lavaan::cfa(HS.model, data = hs", gn, ")"), hs_structure),
             "hs_marker_gn")
write_golden(golden(cfa(hs_model, data = hs, std.lv = TRUE),
                    "lavaan::cfa(HS.model, data = hs, std.lv = TRUE)", hs_structure),
             "hs_stdlv")
write_golden(golden(cfa(hs_model, data = hs, std.lv = TRUE, optim.method = "GN",
                        optim.gn.tol.x = 1e-12),
                    paste0("lavaan::cfa(HS.model, data = hs, std.lv = TRUE", gn, ")"),
                    hs_structure), "hs_stdlv_gn")

# ---- psych::bfi: the five 5-item scales, items as they are (no reverse-keying) ---------------
bfi_structure <- list(
  A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
  N = paste0("N", 1:5), O = paste0("O", 1:5)
)
write_golden(golden(cfa(to_syntax(bfi_structure), data = bfi),
                    "lavaan::cfa(bfi.model, data = bfi)  # missing = 'listwise'",
                    bfi_structure), "bfi_marker")
write_golden(golden(cfa(to_syntax(bfi_structure), data = bfi, optim.method = "GN",
                        optim.gn.tol.x = 1e-12),
                    paste0("lavaan::cfa(bfi.model, data = bfi", gn, ")"), bfi_structure),
             "bfi_marker_gn")

# ---- psych::bfi with missing = "pairwise": ML on the pairwise-complete covariance -----------
# lavaan drops the empty cases, takes cov(x, use = "pairwise.complete.obs") rescaled to divide
# by N (the remaining rows) and fits ML on it with N; everything else as above.
write_golden(golden(cfa(to_syntax(bfi_structure), data = bfi, missing = "pairwise"),
                    "lavaan::cfa(bfi.model, data = bfi, missing = 'pairwise')",
                    bfi_structure), "bfi_pairwise")
write_golden(golden(cfa(to_syntax(bfi_structure), data = bfi, missing = "pairwise",
                        optim.method = "GN", optim.gn.tol.x = 1e-12),
                    paste0("lavaan::cfa(bfi.model, data = bfi, missing = 'pairwise'", gn, ")"),
                    bfi_structure), "bfi_pairwise_gn")
