# Golden files for kemitraan_assess.stats.factor / efa / omega.
#
# Run from the repository root:
#   Rscript tests/reference/ref_factor.R
# Writes JSON (jsonlite, digits = NA: maximum precision) into tests/reference/factor/.
# Data: tests/reference/data/bfi.csv (psych::bfi exported; blank cells are NA); the 25
# personality items A1..O5 are used as they are (no reverse-keying), as in psych's examples.
suppressPackageStartupMessages({
  library(psych)
  library(GPArotation)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference", "factor")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

bfi <- read.csv(file.path("tests", "reference", "data", "bfi.csv"), na.strings = "")
items <- names(bfi)[1:25]
bfi25 <- as.matrix(bfi[, items])
bfi25_listwise <- bfi25[complete.cases(bfi25), ]

versions <- list(
  R = paste(R.version$major, R.version$minor, sep = "."),
  psych = as.character(packageVersion("psych")),
  GPArotation = as.character(packageVersion("GPArotation")),
  jsonlite = as.character(packageVersion("jsonlite"))
)

write_golden <- function(x, name) {
  x$versions <- versions
  writeLines(
    toJSON(x, digits = NA, auto_unbox = TRUE, matrix = "rowmajor", na = "null", pretty = TRUE),
    file.path(out_dir, paste0(name, ".json"))
  )
}

unclass_m <- function(m) {
  m <- unclass(m)
  attributes(m) <- list(dim = dim(m))
  m
}

# ---- factorability: psych::KMO and psych::cortest.bartlett ---------------------------------
r_pair <- cor(bfi25, use = "pairwise")
r_list <- cor(bfi25_listwise)
k_pair <- KMO(bfi25)
k_list <- KMO(r_list)
b_pair <- cortest.bartlett(r_pair, n = nrow(bfi25))
b_list <- cortest.bartlett(r_list, n = nrow(bfi25_listwise))
write_golden(list(
  items = items,
  n_rows = nrow(bfi25),
  n_listwise = nrow(bfi25_listwise),
  kmo_pairwise = list(call = "psych::KMO(bfi25)", MSA = k_pair$MSA, MSAi = unname(k_pair$MSAi)),
  kmo_listwise = list(call = "psych::KMO(cor(na.omit(bfi25)))", MSA = k_list$MSA,
                      MSAi = unname(k_list$MSAi)),
  bartlett_pairwise = list(call = "psych::cortest.bartlett(cor(bfi25, use='pairwise'), n=2800)",
                           chisq = b_pair$chisq, df = b_pair$df, p_value = b_pair$p.value),
  bartlett_listwise = list(call = "psych::cortest.bartlett(cor(na.omit(bfi25)), n=nrow)",
                           chisq = b_list$chisq, df = b_list$df, p_value = b_list$p.value),
  r_pairwise = unclass_m(r_pair)
), "factorability")

# ---- parallel analysis: psych::fa.parallel --------------------------------------------------
# fa.parallel draws in parallel::mclapply; one core keeps set.seed reproducible.
options(mc.cores = 1)
set.seed(20240601)
pa <- fa.parallel(bfi25, fm = "minres", fa = "both", n.iter = 50, plot = FALSE)
write_golden(list(
  call = "options(mc.cores=1); set.seed(20240601); psych::fa.parallel(bfi25, fm='minres', fa='both', n.iter=50, plot=FALSE)",
  seed = 20240601, n_iter = 50,
  fa_values = pa$fa.values, pc_values = pa$pc.values,
  fa_sim = pa$fa.sim, pc_sim = pa$pc.sim,
  nfact = pa$nfact, ncomp = pa$ncomp
), "parallel")

# ---- EFA: psych::fa (minres, oblimin) -------------------------------------------------------
fa_golden <- function(f, call, unrot) {
  list(
    call = call,
    loadings = unclass_m(f$loadings),
    unrotated = unclass_m(unrot$loadings),
    Phi = if (is.null(f$Phi)) NULL else unclass_m(f$Phi),
    communality = unname(f$communality),
    communalities = unname(f$communalities),
    uniquenesses = unname(f$uniquenesses),
    values = f$values,
    e.values = f$e.values,
    Vaccounted = unclass_m(f$Vaccounted),
    n.obs = f$n.obs,
    dof = f$dof,
    objective = f$objective,
    STATISTIC = f$STATISTIC,
    PVAL = f$PVAL,
    null.model = f$null.model,
    null.chisq = f$null.chisq,
    null.dof = f$null.dof,
    TLI = f$TLI,
    RMSEA = unname(f$RMSEA),
    BIC = f$BIC,
    SABIC = f$SABIC,
    rms = f$rms,
    crms = f$crms,
    chi = f$chi,
    EPVAL = f$EPVAL,
    EBIC = f$EBIC,
    fit = f$fit,
    fit.off = f$fit.off,
    complexity = unname(f$complexity),
    convergence = unrot$res
  )
}
fa_case <- function(x, nf, call) {
  f <- fa(x, nf, fm = "minres", rotate = "oblimin")
  u <- fa(x, nf, fm = "minres", rotate = "none")
  g <- fa_golden(f, call, u)
  g$convergence <- NULL
  g
}
write_golden(list(
  fa5 = fa_case(bfi25, 5, "psych::fa(bfi25, 5, fm='minres', rotate='oblimin')"),
  fa3 = fa_case(bfi25, 3, "psych::fa(bfi25, 3, fm='minres', rotate='oblimin')"),
  fa1 = fa_case(bfi25, 1, "psych::fa(bfi25, 1, fm='minres')"),
  fa5_listwise = fa_case(bfi25_listwise, 5,
                         "psych::fa(na.omit(bfi25), 5, fm='minres', rotate='oblimin')"),
  fa5_corr = fa_case(r_pair, 5, "psych::fa(cor(bfi25, use='pairwise'), 5) (no n.obs)"),
  fa5_varimax = {
    f <- fa(bfi25, 5, fm = "minres", rotate = "varimax")
    list(call = "psych::fa(bfi25, 5, fm='minres', rotate='varimax')",
         loadings = unclass_m(f$loadings))
  }
), "efa")

# ---- omega: psych::omega (Schmid-Leiman) and one-factor omega total ---------------------------
omega_golden <- function(x, nf, call) {
  om <- suppressMessages(suppressWarnings(omega(x, nfactors = nf, plot = FALSE)))
  list(
    call = call,
    nfactors = nf,
    omega_h = om$omega_h,
    omega_tot = om$omega.tot,
    omega_lim = om$omega.lim,
    alpha = om$alpha,
    G6 = om$G6,
    ECV = unname(om$ECV),
    key = unname(om$key),
    sl = unclass_m(om$schmid$sl),
    oblique = unclass_m(om$schmid$oblique),
    phi = unclass_m(om$schmid$phi),
    gloading = unname(as.vector(om$schmid$gloading)),
    omega_group = unclass_m(as.matrix(om$omega.group))
  )
}
one_factor_golden <- function(x, call) {
  f <- fa(x, 1, fm = "minres")
  lam <- as.vector(f$loadings)
  key <- sign(lam)
  key[key == 0] <- 1
  lam_k <- lam * key
  psi <- unname(f$uniquenesses)
  om <- suppressMessages(suppressWarnings(omega(x, nfactors = 1, plot = FALSE)))
  list(
    call = call,
    loadings = lam,
    uniquenesses = psi,
    omega_total_formula = sum(lam_k)^2 / (sum(lam_k)^2 + sum(psi)),
    omega1_omega_tot = om$omega.tot,
    omega1_omega_h = om$omega_h,
    omega1_key = unname(om$key)
  )
}
scales <- list(A = 1:5, C = 6:10, E = 11:15, N = 16:20, O = 21:25)
om <- list(
  bfi25_nf3 = omega_golden(bfi25, 3, "psych::omega(bfi25, nfactors=3, plot=FALSE)"),
  bfi25_nf5 = omega_golden(bfi25, 5, "psych::omega(bfi25, nfactors=5, plot=FALSE)"),
  AC_nf3 = omega_golden(bfi25[, c(scales$A, scales$C)], 3,
                        "psych::omega(bfi25[, c('A1'..'A5','C1'..'C5')], nfactors=3, plot=FALSE)"),
  EN_nf2 = omega_golden(bfi25[, c(scales$E, scales$N)], 2,
                        "psych::omega(bfi25[, c('E1'..'E5','N1'..'N5')], nfactors=2, plot=FALSE)"),
  AC_nf5 = omega_golden(bfi25[, c(scales$A, scales$C)], 5,
                        "psych::omega(bfi25[, c('A1'..'A5','C1'..'C5')], nfactors=5, plot=FALSE)")
)
one <- list()
for (s in names(scales)) {
  one[[s]] <- one_factor_golden(bfi25[, scales[[s]]],
                                sprintf("psych::fa(bfi25[, '%s1'..'%s5'], 1, fm='minres'); psych::omega(., nfactors=1)", s, s))
  om[[paste0(s, "_nf3")]] <- omega_golden(bfi25[, scales[[s]]], 3,
                                          sprintf("psych::omega(bfi25[, '%s1'..'%s5'], nfactors=3, plot=FALSE)", s, s))
}
write_golden(list(omega = om, one_factor = one), "omega")
cat("golden files written to", out_dir, "\n")
