# Golden values for the scoring stage (kemitraan_assess.scoring.score) end to end:
# scale scores with the two-thirds rule, partnership mean / SD / t-based 95 % CI,
# rwg(j) (multilevel::rwg.j, uniform null, listwise as R does) and ICC(1)/ICC(2)
# (multilevel on aov of the scale scores), on the committed nested survey with GOL6
# reverse-keyed (tests/fixtures/nested-instrument.yaml).
#
#   Rscript tests/reference/ref_scoring.R
suppressPackageStartupMessages({
  library(multilevel)
  library(jsonlite)
})
x <- read.csv(file.path("tests", "reference", "data", "nested_survey.csv"), na.strings = "")
x$GOL6 <- 1 + 5 - x$GOL6                      # reverse-keyed: min + max - x
scales <- list(
  GOL = paste0("GOL", 1:6), LEAD = paste0("LEAD", 1:5), COMM = paste0("COMM", 1:4),
  CONF = paste0("CONF", 1:5), EVAL = paste0("EVAL", 1:6)
)
out <- list(
  source = "tests/reference/data/nested_survey.csv",
  versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                  multilevel = as.character(packageVersion("multilevel"))),
  calls = list(
    score = "rowMeans(items, na.rm = TRUE) where sum(!is.na(items)) >= ceiling(2/3 * k), else NA",
    ci95 = "mean +/- qt(0.975, n - 1) * sd / sqrt(n)",
    rwg_j = "multilevel::rwg.j(items, partnership, ranvar = 2)",
    icc = "mod <- aov(score ~ as.factor(partnership)); ICC1(mod); ICC2(mod)"
  ),
  scales = list()
)
g <- x$partnership
for (sid in names(scales)) {
  items <- x[, scales[[sid]]]
  k <- length(scales[[sid]])
  need <- ceiling(2 / 3 * k - 1e-9)
  answered <- rowSums(!is.na(items))
  score <- ifelse(answered >= need, rowMeans(items, na.rm = TRUE), NA)
  groups <- sort(unique(g))
  per <- lapply(groups, function(p) {
    s <- score[g == p & !is.na(score)]
    n <- length(s)
    m <- mean(s); sdv <- sd(s); half <- qt(0.975, n - 1) * sdv / sqrt(n)
    list(partnership = p, n = n, mean = m, sd = sdv, ci_low = m - half, ci_high = m + half)
  })
  rw <- rwg.j(items, g, ranvar = 2)
  ok <- !is.na(score)
  mod <- aov(score[ok] ~ as.factor(g[ok]))
  out$scales[[sid]] <- list(
    items = scales[[sid]],
    min_answered = need,
    respondent_score = unname(score),
    partnerships = per,
    rwg_j = list(grpid = as.character(rw$grpid), value = rw$rwg.j),
    icc1 = ICC1(mod), icc2 = ICC2(mod)
  )
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           file.path("tests", "reference", "scoring", "nested_scores.json"))
