# Golden file for kemitraan_assess.stats.smc (psych::smc: 1 - 1/diag(Pinv(R)), clipped).
#
# Run from the repository root:
#   Rscript tests/reference/ref_smc.R
# Writes tests/reference/factor/smc.json (jsonlite, digits = NA). Cases:
#   bfi_pairwise: cor(bfi[1:25], use = "pairwise") of psych::bfi (positive definite);
#   bfi_singular: the same with A1 duplicated as a 26th item (exactly singular: Pinv drops
#                 the null direction, both SMCs of the pair are 1);
#   indefinite:   a 4 x 4 correlation matrix with a negative eigenvalue (as pairwise
#                 deletion can give).
suppressPackageStartupMessages({
  library(psych)
  library(jsonlite)
})
bfi <- read.csv(file.path("tests", "reference", "data", "bfi.csv"), na.strings = "")
r <- cor(as.matrix(bfi[, 1:25]), use = "pairwise")
r_sing <- cor(cbind(as.matrix(bfi[, 1:25]), A1b = bfi$A1), use = "pairwise")
r_ind <- matrix(c(1, .9, .9, .1,
                  .9, 1, .1, .5,
                  .9, .1, 1, .5,
                  .1, .5, .5, 1), 4, 4)
out <- list(
  bfi_pairwise = list(r = unname(r), smc = unname(smc(r))),
  bfi_singular = list(r = unname(r_sing), smc = unname(suppressWarnings(smc(r_sing)))),
  indefinite = list(r = unname(r_ind), eigen = eigen(r_ind)$values, smc = unname(suppressWarnings(smc(r_ind)))),
  versions = list(R = paste(R.version$major, R.version$minor, sep = "."),
                  psych = as.character(packageVersion("psych")))
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "rowmajor"),
           file.path("tests", "reference", "factor", "smc.json"))
