# Peer for benchmarks/survey_estimation.py: R's survey package (Lumley), svymean by domain.
#
#   Rscript benchmarks/survey_estimation_peer.R <persons.csv> <estimates.csv> <lonely_psu>
#
# <persons.csv> holds one row per person: stratum, psu_id (unique across strata), w (person
# weight), sex, nationality, and for each series s pop_<s> (1 in the series population, else 0)
# and y_<s> (1 covered, 0 not, empty when unknown), as the benchmark writes them from the same
# series definitions as its svy peer. Design: stratified cluster sample, PSUs nested in strata,
# Taylor linearisation (svydesign + svymean), options(survey.lonely.psu = <lonely_psu>).
# Domains: the series population (a subset of the design, which keeps every PSU for the
# variance) and, within it, the persons whose outcome is known (na.rm = TRUE), in total, by sex,
# by nationality and by sex x nationality (svyby); SI_COV_MATNL for women only. Persons whose
# nationality is missing are in the nationality totals only. Writes series, sex, nationality,
# est, se to <estimates.csv> and prints the seconds spent reading and estimating.

suppressPackageStartupMessages({
  library(survey)
  library(data.table)
})

args <- commandArgs(trailingOnly = TRUE)
options(survey.lonely.psu = args[3])

started <- proc.time()[["elapsed"]]
d <- fread(args[1], na.strings = "", colClasses = list(character = c("stratum", "psu_id", "sex", "nationality")))
read_seconds <- proc.time()[["elapsed"]] - started

started <- proc.time()[["elapsed"]]
series <- sub("^pop_", "", grep("^pop_", names(d), value = TRUE))
rows <- list()
for (s in series) {
  # one design per series, holding only the columns it reads (subsets copy the data)
  narrow <- d[, c("stratum", "psu_id", "w", "sex", "nationality", paste0("pop_", s), paste0("y_", s)), with = FALSE]
  setnames(narrow, c(paste0("pop_", s), paste0("y_", s)), c("pop", "y"))
  design <- svydesign(ids = ~psu_id, strata = ~stratum, weights = ~w, data = narrow, nest = TRUE)
  members <- subset(design, pop == 1)
  domains <- list(total = NULL, sex = ~sex, nationality = ~nationality, sex_nationality = ~sex + nationality)
  for (name in names(domains)) {
    by <- domains[[name]]
    if (s == "SI_COV_MATNL" && name %in% c("total", "nationality")) next
    if (is.null(by)) {
      m <- svymean(~y, members, na.rm = TRUE)
      rows[[length(rows) + 1]] <- data.table(series = s, sex = "T", nationality = "T", est = as.numeric(coef(m)), se = as.numeric(SE(m)))
    } else {
      known <- subset(members, !is.na(y) & stats::complete.cases(members$variables[, all.vars(by), with = FALSE]))
      m <- svyby(~y, by, known, svymean, keep.var = TRUE, vartype = "se", covmat = FALSE)
      rows[[length(rows) + 1]] <- data.table(series = s, sex = if ("sex" %in% names(m)) as.character(m$sex) else "T",
                                             nationality = if ("nationality" %in% names(m)) as.character(m$nationality) else "T",
                                             est = as.numeric(coef(m)), se = as.numeric(SE(m)))
    }
  }
  rm(narrow, design, members)
}
estimate_seconds <- proc.time()[["elapsed"]] - started
fwrite(rbindlist(rows), args[2])
cat(sprintf('{"read_seconds": %.3f, "estimate_seconds": %.3f}\n', read_seconds, estimate_seconds))
