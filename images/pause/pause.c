/*
 * pause: the infra process of a PodGroup, as Kubernetes' pause is for a pod sandbox.
 *
 * It owns the namespaces the members join (net, IPC, PID) and must therefore stay alive
 * and cost nothing:
 *   - it sleeps in pause() and does no work of its own;
 *   - SIGINT or SIGTERM: it exits with status 0 (so `docker stop` is quick and clean);
 *   - SIGCHLD: as PID 1 of a shared PID namespace it inherits every orphaned process of the
 *     members, so it reaps them (waitpid loop) and no zombie is left behind;
 *   - `pause -v` prints its version and exits.
 * Written for this project after reading what Kubernetes' build/pause/linux/pause.c does.
 * Built static with musl (see scripts/images.sh); only async-signal-safe calls in handlers.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PAUSE_VERSION
#define PAUSE_VERSION "dev"
#endif

static void say(const char *msg) {
  /* write(2) is async-signal-safe; a failed write has nowhere better to be reported. */
  ssize_t ignored = write(STDERR_FILENO, msg, strlen(msg));
  (void)ignored;
}

static void on_shutdown(int signo) {
  say(signo == SIGTERM ? "pause: SIGTERM, exiting\n" : "pause: SIGINT, exiting\n");
  _exit(0);
}

static void on_child(int signo) {
  (void)signo;
  int saved = errno;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
  errno = saved;
}

static int handle(int signo, void (*handler)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  return sigaction(signo, &sa, NULL);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    say("pause " PAUSE_VERSION "\n");
    return 0;
  }
  if (getpid() != 1) {
    /* Not fatal: the pause also runs outside a shared PID namespace (pidMode unset). */
    say("pause: warning: not PID 1, orphans of other processes will not be reaped here\n");
  }
  if (handle(SIGINT, on_shutdown, 0) < 0) return 1;
  if (handle(SIGTERM, on_shutdown, 0) < 0) return 2;
  if (handle(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART) < 0) return 3;

  for (;;) pause();
}
