/* main.c: `profdiff COMMAND [options] ARGS`: dispatch, --help, --version. */
#include "cli.h"
#include "../escape/escape.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static const pd_command *S_commands[] = {&pd_cmd_report, &pd_cmd_top, &pd_cmd_list, &pd_cmd_fold, &pd_cmd_flame, &pd_cmd_merge, &pd_cmd_memstat};
#define S_NCOMMANDS (sizeof S_commands / sizeof S_commands[0])

static void S_main_usage(FILE *f) {
  fprintf(f,
          "profdiff %s: offline profile diff and regression reports\n\n"
          "usage: profdiff COMMAND [options] FILE...\n\n"
          "commands:\n",
          PD_VERSION);
  for (size_t i = 0; i < S_NCOMMANDS; i++)
    fprintf(f, "  %-8s %s\n", S_commands[i]->name, S_commands[i]->summary);
  fprintf(f,
          "\nInputs are pprof protobuf profiles (gzip-compressed or raw), folded stacks,\n"
          "Go's and gperftools' text heap profiles and cgroup memory.stat files, told\n"
          "apart by content (docs/inputs.md). Run `profdiff COMMAND --help` for a\n"
          "command's options; the manual is `man profdiff` (docs/profdiff.1) and docs/.\n\n"
          "exit status: 0 success, 1 a --fail-on gate failed, 2 error\n");
}

void pd_cli_usage(FILE *f, const pd_command *c) {
  fprintf(f, "usage: profdiff %s\n\n%s\n", c->usage, c->description);
  if (c->opts && c->opts[0].name) {
    fprintf(f, "\noptions:\n");
    for (const pd_opt *o = c->opts; o->name; o++) {
      char left[64];
      char alias[8] = "";
      if (o->short_name) snprintf(alias, sizeof alias, "-%c, ", o->short_name);
      snprintf(left, sizeof left, "%s--%s%s%s", alias, o->name, o->metavar ? " " : "",
               o->metavar ? o->metavar : "");
      fprintf(f, "  %-24s %s%s\n", left, o->help, o->repeatable ? " (repeatable)" : "");
    }
  }
  fprintf(f, "  %-24s %s\n", "-h, --help", "show this help");
}

/* A mapped input (pd_read_file) that another process truncates while we read
 * it faults with SIGBUS: say which file, as for any bad input, and exit 2
 * (only async-signal-safe calls here; outputs are still temporary files). */
static void S_sigbus(int sig, siginfo_t *si, void *uc) {
  (void)sig;
  (void)uc;
  const char *path = pd_file_mapped_at(si->si_addr);
  static const char head[] = "profdiff: ", tail[] = ": file shrank while it was being read\n";
  static char safe[4096];
  if (!path) path = "an input";
  pd_publish_abort();
  size_t n = pd_esc_text_to(safe, sizeof safe, path, strlen(path));
  ssize_t w = write(2, head, sizeof head - 1);
  w = write(2, safe, n);
  w = write(2, tail, sizeof tail - 1);
  (void)w;
  _exit(PD_EXIT_ERROR);
}

/* Out of memory anywhere (util.h's policy): one line saying which file was
 * being read, the staged report removed, exit 2. _exit, not exit: other
 * threads may still be running, and stdio and atexit need memory and locks
 * they might hold. Nothing here allocates. Two reader threads can run out
 * at once (the same large file given twice): the first to get here says
 * it, in one write, and a later one waits for its _exit, so that the
 * buffers are one thread's and the message one line ("profdiff: profdiff:
 * ..." on two lines, one suite run in five here). */
static void S_oom(size_t request, pd_mem_doing doing) {
  static atomic_flag once = ATOMIC_FLAG_INIT;
  static char msg[2048], line[4096];
  static const char head[] = "profdiff: ";
  if (atomic_flag_test_and_set(&once))
    for (;;) pause();
  pd_publish_abort();
  pd_mem_oom_message(msg, sizeof msg, request, doing);
  memcpy(line, head, sizeof head - 1);
  size_t n = sizeof head - 1;
  n += pd_esc_text_to(line + n, sizeof line - n - 1, msg, strlen(msg));
  line[n++] = '\n';
  ssize_t w = write(2, line, n);
  (void)w;
  _exit(PD_EXIT_ERROR);
}

/* Interrupted (Ctrl-C, a CI job's timeout): the report being staged is
 * removed (pd_publish_abort, async-signal-safe), then the signal takes its
 * ordinary course, so the exit status still says what happened. */
static void S_sigterm(int sig) {
  pd_publish_abort();
  signal(sig, SIG_DFL);
  raise(sig);
}

/* Standard output is a file like any other: a full disk or a closed pipe
 * read by nobody's error check must not end in exit 0 and a cut-off
 * output. Every command's last step, whatever it wrote: flush, check,
 * close; a failure is one line and exit 2 (none when the command already
 * failed and said why, as pd_cli_emit does for its own writes). */
static int S_close_stdout(int rc) {
  errno = 0;
  int bad = fflush(stdout) != 0;
  int e = errno;
  bad |= ferror(stdout) != 0;
  errno = 0;
  if (fclose(stdout) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  if (!bad) return rc;
  if (rc != PD_EXIT_ERROR) {
    char msg[160];
    snprintf(msg, sizeof msg, "standard output: %s", e ? strerror(e) : "write error");
    pd_cli_error(msg);
  }
  return PD_EXIT_ERROR;
}

static int S_main(int argc, char **argv);

int main(int argc, char **argv) {
  /* a buffer larger than any help or usage text: what the commands print
   * with fprintf is then written by S_close_stdout's fflush, whose errno
   * names the failure (a write that failed inside fprintf leaves only the
   * stream's error flag, and errno may be anything by the end); large
   * outputs go through pd_cli_emit, which says why itself */
  static char buf[1 << 16];
  setvbuf(stdout, buf, _IOFBF, sizeof buf);
  return S_close_stdout(S_main(argc, argv));
}

static int S_main(int argc, char **argv) {
  pd_mem_on_oom(S_oom);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = S_sigbus;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGBUS, &sa, NULL);
  struct sigaction st;
  memset(&st, 0, sizeof st);
  st.sa_handler = S_sigterm;
  sigaction(SIGINT, &st, NULL);
  sigaction(SIGTERM, &st, NULL);
  if (argc < 2) {
    S_main_usage(stderr);
    return PD_EXIT_ERROR;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
    if (argc > 2 && strcmp(cmd, "help") == 0) {
      for (size_t i = 0; i < S_NCOMMANDS; i++)
        if (strcmp(S_commands[i]->name, argv[2]) == 0) {
          pd_cli_usage(stdout, S_commands[i]);
          return PD_EXIT_OK;
        }
    }
    S_main_usage(stdout);
    return PD_EXIT_OK;
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
    pd_cli_version(stdout);
    return PD_EXIT_OK;
  }
  for (size_t i = 0; i < S_NCOMMANDS; i++) {
    const pd_command *c = S_commands[i];
    if (strcmp(c->name, cmd) != 0) continue;
    pd_args a;
    pd_err err;
    if (pd_args_parse(&a, c->opts, argc - 2, argv + 2, &err) != PD_OK) {
      pd_cli_error(err.msg);
      fprintf(stderr, "run `profdiff %s --help` for usage\n", c->name);
      pd_args_free(&a);
      return PD_EXIT_ERROR;
    }
    int rc;
    if (a.help) {
      pd_cli_usage(stdout, c);
      rc = PD_EXIT_OK;
    } else {
      rc = c->run(&a);
    }
    pd_args_free(&a);
    return rc;
  }
  const char *names[S_NCOMMANDS];
  for (size_t i = 0; i < S_NCOMMANDS; i++) names[i] = S_commands[i]->name;
  const char *best = pd_closest(names, S_NCOMMANDS, cmd, strlen(cmd));
  pd_buf b = PD_BUF_INIT;
  pd_buf_printf(&b, "unknown command \"%s\"", cmd);
  if (best) pd_buf_printf(&b, "; did you mean %s?", best);
  pd_cli_error(b.data);
  pd_buf_free(&b);
  fputc('\n', stderr);
  S_main_usage(stderr);
  return PD_EXIT_ERROR;
}
