# Golden files for kemitraan_assess.stats.reliability (alpha, item analysis, split-half).
#
# Run from the repository root:
#   Rscript tests/reference/ref_reliability.R
# Writes JSON (jsonlite, digits = NA: maximum precision) into tests/reference/reliability/.
#
# Data
# - tests/reference/data/bfi.csv: psych::bfi exported, blank cells are NA. The five scales of
#   psych's examples (bfi.keys), reverse-keyed before analysis as 7 - x (min 1 + max 6, what
#   psych::alpha does with keys): A (A1 reversed), C (C4, C5), E (E1, E2), N (none),
#   O (O2, O5).
# - tests/reference/data/reliability_small.csv: 24 respondents x 6 items (q1..q6, 1-5,
#   8 missing cells); q6 is a weak item, negatively correlated with some others.
#
# Items are keyed by the caller, so splitHalf is called with check.keys = FALSE (for the bfi
# scales it makes no difference: every item loads positively after reverse-keying).
suppressPackageStartupMessages({
  library(psych)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference", "reliability")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

versions <- list(
  R = paste(R.version$major, R.version$minor, sep = "."),
  psych = as.character(packageVersion("psych")),
  jsonlite = as.character(packageVersion("jsonlite"))
)

write_golden <- function(x, name) {
  x$versions <- versions
  writeLines(
    toJSON(x, digits = NA, auto_unbox = TRUE, matrix = "rowmajor", na = "null", pretty = TRUE),
    file.path(out_dir, paste0(name, ".json"))
  )
}

bfi <- read.csv(file.path("tests", "reference", "data", "bfi.csv"), na.strings = "")
small <- read.csv(file.path("tests", "reference", "data", "reliability_small.csv"),
                  na.strings = "")

reverse <- function(x) min(x, na.rm = TRUE) + max(x, na.rm = TRUE) - x
bfi_keyed <- bfi
for (it in c("A1", "C4", "C5", "E1", "E2", "O2", "O5")) bfi_keyed[[it]] <- 7 - bfi[[it]]

scales <- list(
  A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
  N = paste0("N", 1:5), O = paste0("O", 1:5)
)

df_rows <- function(d) {
  # a data frame as {column: [values...]} with its row names
  out <- lapply(as.list(d), unname)
  out$rownames <- rownames(d)
  out
}

alpha_golden <- function(x, call) {
  a <- suppressWarnings(alpha(x))
  tot <- a$total
  z <- qnorm(0.975)
  freq <- a$response.freq
  list(
    call = call,
    items = colnames(x),
    n_rows = nrow(x),
    n_complete = sum(complete.cases(x)),
    total = as.list(tot),
    unidim = unname(a$Unidim),
    fit_off = unname(a$Fit),
    var_r = unname(a$var.r),
    feldt = list(call = "psych::alpha.ci(raw_alpha, nrow(x), ncol(x)) via alpha()$feldt",
                 lower = unname(a$feldt$lower.ci), upper = unname(a$feldt$upper.ci),
                 r_bar = unname(a$feldt$r.bar)),
    duhachek = list(call = "raw_alpha -/+ z * total$ase (print.psych uses z = 1.96)",
                    lower_qnorm = tot$raw_alpha - z * tot$ase,
                    upper_qnorm = tot$raw_alpha + z * tot$ase,
                    lower_print = tot$raw_alpha - 1.96 * tot$ase,
                    upper_print = tot$raw_alpha + 1.96 * tot$ase),
    alpha_drop = df_rows(a$alpha.drop),
    item_stats = df_rows(a$item.stats),
    response_freq = list(categories = colnames(freq), values = unclass_m(freq))
  )
}

unclass_m <- function(m) {
  m <- unclass(m)
  attributes(m) <- list(dim = dim(m))
  m
}

split_golden <- function(x, call) {
  s <- splitHalf(x, raw = TRUE, check.keys = FALSE)
  list(
    call = call,
    n_items = ncol(x),
    n_splits = length(s$raw),
    maxrb = s$maxrb, minrb = s$minrb, meanr = s$meanr,
    av_r = s$av.r, med_r = s$med.r, alpha = s$alpha, lambda2 = s$lambda2,
    lambda6 = s$lambda6,
    ci = unname(s$ci),
    sd_raw = sd(s$raw),
    max_ab = s$maxAB, min_ab = s$minAB
  )
}

# every split of the items into m = floor(p/2) and p - m, by brute force (independent of
# splitHalf, which for odd p enumerates only the first half of combn(p, m))
all_splits <- function(x) {
  r <- cov2cor(cov(x, use = "pairwise"))
  p <- ncol(r)
  v <- combn(p, p %/% 2, function(o) 4 * sum(r[o, -o]) / sum(r))
  if (p %% 2 == 0) v <- v[seq_len(length(v) / 2)]
  list(call = "combn(p, p %/% 2): 4 * sum(R[A, B]) / sum(R), R = cov2cor(cov(x, use = 'pairwise'))",
       n_splits = length(v), max = max(v), min = min(v), mean = mean(v))
}

# ---- bfi scales: psych::alpha (pairwise and listwise) and psych::splitHalf -----------------
bfi_out <- list(scales = scales, reversed = c("A1", "C4", "C5", "E1", "E2", "O2", "O5"))
for (s in names(scales)) {
  x <- bfi_keyed[, scales[[s]]]
  xl <- na.omit(x)
  bfi_out[[s]] <- list(
    alpha = alpha_golden(x, sprintf("psych::alpha(bfi_keyed[, %s])", s)),
    alpha_listwise = alpha_golden(xl, sprintf("psych::alpha(na.omit(bfi_keyed[, %s]))", s)),
    split_half = split_golden(x, sprintf("psych::splitHalf(bfi_keyed[, %s], raw = TRUE, check.keys = FALSE)", s)),
    all_splits = all_splits(x)
  )
}
write_golden(bfi_out, "bfi_scales")

# ---- split-half on longer scales: 16 items (exhaustive), 15 (psych's half count), 25 (sampled)
x16 <- bfi_keyed[, c(scales$A, scales$C, scales$E, "N1")]
x15 <- bfi_keyed[, c(scales$A, scales$C, scales$E)]
x25 <- bfi_keyed[, unlist(scales)]
set.seed(42)
s25 <- splitHalf(x25, raw = TRUE, check.keys = FALSE)
write_golden(list(
  items16 = colnames(x16),
  split16 = split_golden(x16, "psych::splitHalf(bfi_keyed[, c(A, C, E, 'N1')], raw = TRUE, check.keys = FALSE)"),
  items15 = colnames(x15),
  split15 = split_golden(x15, "psych::splitHalf(bfi_keyed[, c(A, C, E)], raw = TRUE, check.keys = FALSE)"),
  items25 = colnames(x25),
  split25 = list(call = "set.seed(42); psych::splitHalf(bfi_keyed[, 1:25], raw = TRUE, check.keys = FALSE)",
                 n_splits = length(s25$raw), maxrb = s25$maxrb, minrb = s25$minrb,
                 meanr = s25$meanr, sd_raw = sd(s25$raw), alpha = s25$alpha,
                 lambda6 = s25$lambda6)
), "bfi_split_long")

# ---- the small dataset: pairwise, listwise, 2..6 items --------------------------------------
sm <- small[, paste0("q", 1:6)]
write_golden(list(
  alpha6 = alpha_golden(sm, "psych::alpha(small[, q1:q6])"),
  alpha6_listwise = alpha_golden(na.omit(sm), "psych::alpha(na.omit(small[, q1:q6]))"),
  alpha3 = alpha_golden(sm[, 1:3], "psych::alpha(small[, q1:q3])"),
  alpha6_empty_row = alpha_golden(rbind(sm, NA), "psych::alpha(rbind(small[, q1:q6], NA))"),
  split6 = split_golden(sm, "psych::splitHalf(small[, q1:q6], raw = TRUE, check.keys = FALSE)"),
  split7 = split_golden(cbind(sm, q7 = sm$q1 + sm$q2),
                        "psych::splitHalf(cbind(small[, q1:q6], q7 = q1 + q2), raw = TRUE, check.keys = FALSE)"),
  split4 = split_golden(sm[, 1:4], "psych::splitHalf(small[, q1:q4], raw = TRUE, check.keys = FALSE)"),
  all_splits7 = all_splits(cbind(sm, q7 = sm$q1 + sm$q2))
), "small")
