# Golden files for kemitraan_assess.stats.agreement and kemitraan_assess.stats.icc.
#
# Run from the repository root:
#   Rscript tests/reference/ref_agreement.R
# Writes
#   tests/reference/data/nested_survey.csv   a seeded synthetic partnership survey (below)
#   tests/reference/agreement/edge.csv       a hand-made table of edge cases
#   tests/reference/agreement/*.json         golden values (jsonlite, digits = NA: 15
#                                            significant digits; NA/NaN written as null)
#
# The survey: 40 partnerships of unequal size (3-25 respondents), five success-factor scales
# of the bundled instrument with 6, 5, 4, 5 and 6 items answered on 1-5, a true
# between-partnership variance (a partnership effect per scale), and about 3 % of the item
# cells missing at random. Column 'partnership' holds labels P01..P40.
suppressPackageStartupMessages({
  library(multilevel)
  library(psych)
  library(jsonlite)
})

out_dir <- file.path("tests", "reference", "agreement")
data_dir <- file.path("tests", "reference", "data")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
dir.create(data_dir, showWarnings = FALSE, recursive = TRUE)

versions <- list(
  R = paste(R.version$major, R.version$minor, sep = "."),
  multilevel = as.character(packageVersion("multilevel")),
  psych = as.character(packageVersion("psych")),
  jsonlite = as.character(packageVersion("jsonlite"))
)

write_golden <- function(x, name) {
  x$versions <- versions
  writeLines(
    toJSON(x, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
    file.path(out_dir, paste0(name, ".json"))
  )
}

# ---- the synthetic nested survey -----------------------------------------------------------
set.seed(20240611)
n_groups <- 40
sizes <- sample(3:25, n_groups, replace = TRUE)
partnership <- rep(sprintf("P%02d", seq_len(n_groups)), times = sizes)
n <- length(partnership)
g <- rep(seq_len(n_groups), times = sizes)
scales <- list(GOL = 6, LEAD = 5, COMM = 4, CONF = 5, EVAL = 6)
survey <- data.frame(respondent = sprintf("R%04d", seq_len(n)), partnership = partnership)
for (s in names(scales)) {
  group_effect <- rnorm(n_groups, 0, 0.55)          # true between-partnership variance
  person <- rnorm(n, 0, 0.75)                        # respondent's view of the scale
  level <- runif(1, 3.0, 3.8)
  for (j in seq_len(scales[[s]])) {
    latent <- level + group_effect[g] + person + rnorm(n, 0, 0.6)
    survey[[paste0(s, j)]] <- pmin(5, pmax(1, round(latent)))
  }
}
item_cols <- setdiff(names(survey), c("respondent", "partnership"))
cells <- as.matrix(survey[, item_cols])
cells[matrix(runif(length(cells)) < 0.03, nrow = nrow(cells))] <- NA
survey[, item_cols] <- cells
write.csv(survey, file.path(data_dir, "nested_survey.csv"), row.names = FALSE, na = "")

# ---- golden values --------------------------------------------------------------------------
# LeBreton & Senter (2008, Table 3) null variances for A = 5 options; the uniform null is
# (A^2 - 1) / 12 = 2 (James, Demaree & Wolf 1984).
nulls <- c(uniform = 2, slight_skew = 1.34, moderate_skew = 0.90, heavy_skew = 0.44,
           triangular = 1.32, normal = 1.04)

per_group <- function(frame, value_col, size_col) {
  list(grpid = as.character(frame$grpid), value = unname(frame[[value_col]]),
       n = unname(frame[[size_col]]))
}

# psych-free "available" rwg(j): every item's variance over its own answers in the group
# (no listwise deletion), averaged over the items that have at least two answers.
rwg_j_available <- function(x, grpid, ranvar) {
  keep <- !is.na(grpid)
  x <- as.data.frame(x)[keep, , drop = FALSE]
  parts <- split(x, grpid[keep])
  vals <- sapply(parts, function(q) {
    v <- apply(q, 2, function(col) if (sum(!is.na(col)) > 1) var(col, na.rm = TRUE) else NA)
    v <- v[!is.na(v)]
    if (length(v) == 0) return(NA)
    J <- length(v)
    S <- min(mean(v), ranvar)
    (J * (1 - S / ranvar)) / (J * (1 - S / ranvar) + S / ranvar)
  })
  ns <- sapply(parts, function(q) sum(rowSums(!is.na(q)) > 0))
  list(grpid = names(parts), value = unname(vals), n = unname(ns))
}

agreement_block <- function(x, grpid) {
  x <- as.data.frame(x)
  out <- list(items = names(x), rwg_j = list(), rwg_j_available = list(), rwg = list())
  for (nm in names(nulls)) {
    out$rwg_j[[nm]] <- per_group(rwg.j(x, grpid, ranvar = nulls[[nm]]), "rwg.j", "gsize")
    out$rwg_j_available[[nm]] <- rwg_j_available(x, grpid, nulls[[nm]])
  }
  for (item in names(x)) {
    out$rwg[[item]] <- list()
    for (nm in names(nulls)) {
      out$rwg[[item]][[nm]] <- per_group(rwg(x[[item]], grpid, ranvar = nulls[[nm]]), "rwg", "gsize")
    }
  }
  out$awg <- per_group(awg(x, grpid, range = c(1, 5)), "a.wg", "nraters")
  out$ad_mean <- per_group(ad.m(x, grpid, type = "mean"), "AD.M", "gsize")
  out$ad_median <- per_group(ad.m(x, grpid, type = "median"), "AD.M", "gsize")
  out$awg_item <- list(); out$ad_mean_item <- list(); out$ad_median_item <- list()
  for (item in names(x)) {
    out$awg_item[[item]] <- per_group(awg(x[[item]], grpid, range = c(1, 5)), "a.wg", "nraters")
    out$ad_mean_item[[item]] <- per_group(ad.m(x[[item]], grpid, type = "mean"), "AD.M", "gsize")
    out$ad_median_item[[item]] <- per_group(ad.m(x[[item]], grpid, type = "median"), "AD.M", "gsize")
  }
  out
}

icc_block <- function(y, grpid) {
  d <- data.frame(y = y, g = grpid)
  mod <- aov(y ~ as.factor(g), data = d)
  tab <- summary(mod)[[1]]
  list(icc1 = ICC1(mod), icc2 = ICC2(mod), F = tab[1, "F value"], df1 = tab[1, "Df"],
       df2 = tab[2, "Df"], p = tab[1, "Pr(>F)"], ms_between = tab[1, "Mean Sq"],
       ms_within = tab[2, "Mean Sq"], n_obs = tab[1, "Df"] + tab[2, "Df"] + 1,
       n_groups = tab[1, "Df"] + 1)
}

golden <- list(
  source = "tests/reference/data/nested_survey.csv",
  calls = list(
    rwg_j = "multilevel::rwg.j(x, partnership, ranvar = null)",
    rwg_j_available = "per group: mean(apply(x, 2, var, na.rm = TRUE)) over items with >= 2 answers, truncated at ranvar",
    rwg = "multilevel::rwg(x[[item]], partnership, ranvar = null)",
    awg = "multilevel::awg(x, partnership, range = c(1, 5))",
    ad_mean = "multilevel::ad.m(x, partnership, type = 'mean')",
    ad_median = "multilevel::ad.m(x, partnership, type = 'median')",
    icc = "mod <- aov(y ~ as.factor(partnership)); multilevel::ICC1(mod); multilevel::ICC2(mod); summary(mod)"
  ),
  nulls = as.list(nulls),
  scales = list(), overall = list(), icc = list()
)
for (s in names(scales)) {
  cols <- paste0(s, seq_len(scales[[s]]))
  x <- survey[, cols]
  golden$scales[[s]] <- agreement_block(x, survey$partnership)
  # the whole sample as one group (single-group functions)
  golden$overall[[s]] <- list(
    rwg_j = lapply(as.list(nulls), function(v) rwg.j(x, rep(1, n), ranvar = v)$rwg.j),
    n = rwg.j(x, rep(1, n))$gsize
  )
  golden$icc[[s]] <- icc_block(rowMeans(x, na.rm = TRUE), survey$partnership)
}
for (item in item_cols) golden$icc[[item]] <- icc_block(survey[[item]], survey$partnership)
write_golden(golden, "nested_survey")

# ---- edge cases -----------------------------------------------------------------------------
# a: a single respondent; b: two answers at the ends (variance 8 > 2: truncated, awg -1);
# c: all at the top (awg = 1 by rule); d: all at the bottom; e: missing cells leaving one
# complete row; f: an ordinary group; a row without a group (dropped, as na.exclude does).
edge <- data.frame(
  group = c("a", "b", "b", "c", "c", "c", "d", "d", "e", "e", "e",
            "f", "f", "f", "f", "f", "f", NA),
  i1 = c(3, 1, 5, 5, 5, 5, 1, 1, 2, NA, 4, 2, 3, 3, 4, 5, 3, 2),
  i2 = c(4, 5, 1, 5, 5, 5, 1, 1, 3, 3, NA, 3, 3, 4, 4, 4, 2, 2),
  i3 = c(2, 3, 3, 5, 5, 5, 1, 1, 2, 2, 2, 1, 2, 2, 3, 5, 4, 5)
)
write.csv(edge, file.path(out_dir, "edge.csv"), row.names = FALSE, na = "")
ex <- edge[, c("i1", "i2", "i3")]
edge_golden <- agreement_block(ex, edge$group)
edge_golden$source <- "tests/reference/agreement/edge.csv"
write_golden(edge_golden, "edge")

# ---- Shrout & Fleiss (1979) Table 1: 6 targets x 4 judges (psychTools::sf) ----------------
sf <- matrix(c(9, 2, 5, 8,
               6, 1, 3, 2,
               8, 4, 6, 8,
               7, 1, 2, 6,
               10, 5, 6, 9,
               6, 2, 4, 7), ncol = 4, byrow = TRUE,
             dimnames = list(NULL, paste0("J", 1:4)))
icc_sf <- ICC(sf, lmer = FALSE)
res <- icc_sf$results
write_golden(list(
  call = "psych::ICC(sf, lmer = FALSE)",
  ratings = sf,
  type = as.character(res$type), ICC = res$ICC, F = res$F, df1 = res$df1, df2 = res$df2,
  p = res$p, lower = res[["lower bound"]], upper = res[["upper bound"]]
), "shrout_fleiss")
