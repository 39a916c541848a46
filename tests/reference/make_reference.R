# Regenerate every R reference file the tests compare against.
#
# Run from the repository root (needs R with psych, multilevel, lavaan, GPArotation and
# jsonlite; on Debian: apt-get install r-base-core r-cran-psych r-cran-multilevel
# r-cran-lavaan r-cran-gparotation r-cran-jsonlite):
#
#   Rscript tests/reference/make_reference.R
#
# Each part writes its own folder under tests/reference/ and names the R functions and
# package versions in its files; the tests read those files and never need R.
#   ref_agreement.R    multilevel::rwg, rwg.j, awg, ad.m, ICC1, ICC2; psych::ICC (Shrout & Fleiss)
#   ref_reliability.R  psych::alpha, psych::splitHalf
#   ref_factor.R       psych::KMO, cortest.bartlett, fa.parallel, fa (minres, oblimin), omega
#   ref_cfa.R          lavaan::cfa fit measures, estimates, standardized solution
#   ref_scoring.R      the scoring stage's partnership rwg(j) and ICC(1)/ICC(2) on the nested survey
#   ref_validation.R   `reliability` on keyed psych::bfi without groups: KMO, Bartlett, fa, omega,
#                      one-factor omega total per scale, lavaan::cfa (missing = "pairwise")
#   ref_smc.R          psych::smc on positive definite, singular and indefinite R
#
# Data: psych::bfi (exported to data/bfi.csv), lavaan::HolzingerSwineford1939
# (data/holzinger_swineford.csv), and the seeded synthetic surveys written by the parts.
here <- file.path("tests", "reference")
parts <- c("ref_agreement.R", "ref_reliability.R", "ref_factor.R", "ref_cfa.R", "ref_scoring.R",
           "ref_validation.R", "ref_smc.R")
for (part in parts) {
  message("== ", part)
  source(file.path(here, part), local = new.env())
}
if (!file.exists(file.path(here, "data", "bfi.csv"))) {
  write.csv(psych::bfi, file.path(here, "data", "bfi.csv"), row.names = FALSE, na = "")
}
message("done")
