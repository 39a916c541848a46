# Golden file for `kemitraan-assess reliability` on psych::bfi without groups: the numbers
# the command computes on the sample level, each from the R call that defines it.
#
# Run from the repository root:
#   Rscript tests/reference/ref_validation.R
# Writes tests/reference/validation/bfi.json (jsonlite, digits = NA: maximum precision).
#
# Data: tests/reference/data/bfi.csv (psych::bfi exported; blank cells are NA), with the
# instrument tests/fixtures/bfi.yaml: five scales of five items keyed as psych's bfi.keys
# (A1, C4, C5, E1, E2, O2, O5 reversed as 7 - x, i.e. min 1 + max 6 - x), no partnership
# column. Every analysis runs on the keyed items, as the command does.
#
# What is reused rather than recomputed here:
# - alpha, item statistics and split-half of each keyed scale: reliability/bfi_scales.json
#   (ref_reliability.R, the same psych::alpha / splitHalf calls on the same keyed data);
# - the observed eigenvalues of parallel analysis: factor/parallel.json (ref_factor.R, on
#   the unkeyed items; reversing items is R -> D R D with D = diag(+-1), which leaves the
#   eigenvalues unchanged).
# What this script adds, on the keyed items: KMO and Bartlett; the EFA the command fits
# (psych::fa, minres, oblimin, one factor per scale); omega hierarchical of the structure
# items (psych::omega with 3 group factors, the command's choice when the instrument has
# fewer than 3 success-factor scales); each scale's omega total as the project defines it
# (McDonald's omega from a one-factor minres model: (sum lambda)^2 / ((sum lambda)^2 +
# sum psi), see kemitraan_assess.stats.omega.omega_total_1f); and the CFA of the five
# correlated factors with lavaan's missing = "pairwise" (the command's default), fitted by
# Gauss-Newton to a step of 1e-12 so the optimum itself is the reference.
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(lavaan)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference", "validation")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

versions <- list(
  R = paste(R.version$major, R.version$minor, sep = "."),
  psych = as.character(packageVersion("psych")),
  GPArotation = as.character(packageVersion("GPArotation")),
  lavaan = as.character(packageVersion("lavaan")),
  jsonlite = as.character(packageVersion("jsonlite"))
)

unclass_m <- function(m) {
  m <- unclass(m)
  attributes(m) <- list(dim = dim(m))
  m
}

bfi <- read.csv(file.path("tests", "reference", "data", "bfi.csv"), na.strings = "")
reversed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
scales <- list(
  A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
  N = paste0("N", 1:5), O = paste0("O", 1:5)
)
items <- unlist(scales, use.names = FALSE)
keyed <- bfi[, items]
for (it in reversed) keyed[[it]] <- 7 - keyed[[it]]
x <- as.matrix(keyed)
r <- cor(x, use = "pairwise")

# ---- factorability -----------------------------------------------------------------------
k <- KMO(x)
b <- cortest.bartlett(r, n = nrow(x))

# ---- EFA: one factor per scale ----------------------------------------------------------------
f <- fa(x, length(scales), fm = "minres", rotate = "oblimin")

# ---- omega hierarchical ---------------------------------------------------------------------
om <- suppressMessages(suppressWarnings(omega(x, nfactors = 3, plot = FALSE)))

# ---- omega total of each scale (one-factor minres model) --------------------------------------
omega_1f <- function(xs) {
  f1 <- fa(xs, 1, fm = "minres")
  lam <- as.vector(f1$loadings)
  key <- sign(lam)
  key[key == 0] <- 1
  s <- sum(lam * key)
  psi <- unname(f1$uniquenesses)
  list(loadings = lam, uniquenesses = psi, omega_total = s^2 / (s^2 + sum(psi)))
}
per_scale <- lapply(scales, function(cols) omega_1f(x[, cols]))

# ---- CFA: five correlated factors, pairwise covariances -----------------------------------------
model <- paste(sprintf("%s =~ %s", names(scales), vapply(scales, paste, character(1), collapse = " + ")),
               collapse = "\n")
fit <- cfa(model, data = keyed, missing = "pairwise", optim.method = "GN", optim.gn.tol.x = 1e-12)
fm <- fitMeasures(fit, c("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
                         "rmsea.ci.upper", "srmr", "aic", "bic", "ntotal"))
ss <- standardizedSolution(fit)
ss <- ss[ss$op == "=~", c("lhs", "rhs", "est.std")]

# ---- a constant item: everyone answered A3 with 3 ----------------------------------------------
# psych::alpha drops an item without variance (with a warning) and analyses the rest; the
# command does the same for every sample-level analysis, so KMO, the EFA and omega_h are
# those of the 24 other items.
const <- keyed
const$A3 <- 3
a_const <- withCallingHandlers(alpha(const[, scales$A]), warning = function(w) {
  message("psych::alpha: ", conditionMessage(w))
  invokeRestart("muffleWarning")
})
x24 <- x[, setdiff(items, "A3")]
k24 <- KMO(x24)
f24 <- fa(x24, length(scales), fm = "minres", rotate = "oblimin")
om24 <- suppressMessages(suppressWarnings(omega(x24, nfactors = 3, plot = FALSE)))

golden <- list(
  data = "tests/reference/data/bfi.csv, items keyed 7 - x for A1 C4 C5 E1 E2 O2 O5",
  instrument = "tests/fixtures/bfi.yaml",
  scales = scales,
  reversed = reversed,
  n_rows = nrow(x),
  factorability = list(
    call = "psych::KMO(keyed); psych::cortest.bartlett(cor(keyed, use = 'pairwise'), n = 2800)",
    kmo = k$MSA, kmo_items = as.list(k$MSAi),
    bartlett = list(chisq = b$chisq, df = b$df, p_value = b$p.value)
  ),
  efa = list(
    call = "psych::fa(keyed, 5, fm = 'minres', rotate = 'oblimin')",
    factors = colnames(f$loadings), items = rownames(f$loadings),
    loadings = unclass_m(f$loadings), communality = unname(f$communality),
    Phi = unclass_m(f$Phi), RMSEA = unname(f$RMSEA[1]), TLI = f$TLI, BIC = f$BIC, rms = f$rms
  ),
  omega = list(
    call = "psych::omega(keyed, nfactors = 3, plot = FALSE)",
    omega_h = om$omega_h, omega_total = om$omega.tot
  ),
  omega_total_by_scale = list(
    call = "psych::fa(keyed[, scale], 1, fm = 'minres'): (sum |lambda|)^2 / ((sum |lambda|)^2 + sum(uniquenesses))",
    values = lapply(per_scale, function(p) p$omega_total),
    loadings = lapply(per_scale, function(p) p$loadings)
  ),
  cfa = list(
    call = "lavaan::cfa(model, data = keyed, missing = 'pairwise', optim.method = 'GN', optim.gn.tol.x = 1e-12)",
    structure = scales,
    fit_measures = as.list(setNames(as.numeric(fm), names(fm))),
    n_used = lavInspect(fit, "nobs"),
    std_loadings = ss
  ),
  constant_item = list(
    call = "const <- keyed; const$A3 <- 3; psych::alpha(const[, A]) (drops A3); the rest on keyed[, -A3]",
    item = "A3",
    alpha_A = list(items = rownames(a_const$alpha.drop), raw_alpha = a_const$total$raw_alpha,
                   std_alpha = a_const$total$std.alpha),
    kmo = k24$MSA,
    bartlett_chisq = cortest.bartlett(cor(x24, use = "pairwise"), n = nrow(x24))$chisq,
    efa_loadings = unclass_m(f24$loadings),
    omega_h = om24$omega_h
  ),
  versions = versions
)
writeLines(
  toJSON(golden, digits = NA, auto_unbox = TRUE, matrix = "rowmajor", na = "null",
         dataframe = "rows", pretty = TRUE),
  file.path(out_dir, "bfi.json")
)
cat("golden file written to", out_dir, "\n")
