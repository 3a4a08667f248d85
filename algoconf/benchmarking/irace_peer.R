# irace for benchmarks/ac_suite.py (see algoconf/benchmarking/peers.py, run_irace).
#
#   Rscript irace_peer.R port=P dir=D maxTime=B parallel=W seed=S deterministic=0|1 digits=N forbidden=0|1
#
# D holds parameters.txt (irace 3 syntax), instances.txt (one training instance name a line),
# default.txt (the default configuration, irace's configurationsFile format) and, when forbidden=1,
# forbidden.txt. Every experiment is sent to the harness's answer server on 127.0.0.1:P as one line
# "instance<TAB>seed<TAB>bound<TAB>name=value..." (inactive parameters left out); the reply is
# "cost time". irace runs with its defaults otherwise. Writes D/trajectory.tsv (one line per
# iteration: iteration, then name=value of the best elite) and D/experiments.tsv (irace's experiment
# log: iteration, instance, configuration, time) for the harness.
args <- commandArgs(trailingOnly = TRUE)
kv <- list()
for (a in args) {
  i <- regexpr("=", a, fixed = TRUE)
  kv[[substr(a, 1, i - 1)]] <- substr(a, i + 1, nchar(a))
}
suppressMessages(library(irace))
dir <- kv$dir
port <- as.integer(kv$port)
parameters <- readParameters(file = file.path(dir, "parameters.txt"), digits = as.integer(kv$digits))

ask_harness <- function(line) {
  con <- socketConnection(host = "127.0.0.1", port = port, blocking = TRUE, open = "r+", timeout = 86400)
  on.exit(close(con))
  writeLines(line, con)
  readLines(con, n = 1)
}

target_runner <- function(experiment, scenario) {
  cfg <- experiment$configuration
  pairs <- character(0)
  for (name in parameters$names) {
    v <- cfg[[name]]
    if (!is.null(v) && !is.na(v)) pairs <- c(pairs, paste0(name, "=", as.character(v)))
  }
  bound <- if (is.null(experiment$bound) || is.na(experiment$bound)) "NA" else as.character(experiment$bound)
  reply <- ask_harness(paste(c(experiment$instance, as.character(experiment$seed), bound, pairs), collapse = "\t"))
  if (length(reply) != 1 || reply == "ERROR") {
    return(list(cost = NULL, time = NULL, error = "the harness could not answer this experiment"))
  }
  v <- as.numeric(strsplit(reply, " ", fixed = TRUE)[[1]])
  list(cost = v[1], time = v[2])
}

scenario <- list(
  targetRunner = target_runner,
  instances = readLines(file.path(dir, "instances.txt")),
  configurationsFile = file.path(dir, "default.txt"),
  maxTime = as.numeric(kv$maxTime),
  parallel = as.integer(kv$parallel),
  seed = as.integer(kv$seed),
  deterministic = as.integer(kv$deterministic),
  digits = as.integer(kv$digits),
  logFile = file.path(dir, "irace.Rdata"),
  execDir = dir
)
if (kv$forbidden == "1") scenario$forbiddenFile <- file.path(dir, "forbidden.txt")
scenario <- checkScenario(defaultScenario(scenario))
elites <- irace(scenario = scenario, parameters = parameters)

load(file.path(dir, "irace.Rdata"))
log <- iraceResults$experimentLog
write.table(log[, c("iteration", "instance", "configuration", "time"), drop = FALSE],
            file = file.path(dir, "experiments.tsv"), sep = "\t", row.names = FALSE, col.names = FALSE)
configs <- iraceResults$allConfigurations
lines <- character(0)
describe <- function(id) {
  row <- configs[configs$.ID. == id, , drop = FALSE]
  pairs <- character(0)
  for (name in parameters$names) {
    v <- row[[name]]
    if (!is.na(v)) pairs <- c(pairs, paste0(name, "=", as.character(v)))
  }
  paste(pairs, collapse = "\t")
}
for (it in seq_along(iraceResults$allElites)) {
  ids <- iraceResults$allElites[[it]]
  if (length(ids) > 0) lines <- c(lines, paste(it, describe(ids[1]), sep = "\t"))
}
if (nrow(elites) > 0) lines <- c(lines, paste("final", describe(elites$.ID.[1]), sep = "\t"))
writeLines(lines, file.path(dir, "trajectory.tsv"))
