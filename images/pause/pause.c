/*
 * pause: the infra process of a PodGroup, as Kubernetes' pause is for a pod sandbox.
 *
 * It owns the namespaces the members join (net, IPC, PID) and must therefore stay alive
 * and cost nothing:
 *   - at start, it chmods 0777 every directory directly under /.podgroup/volumes that it can
 *     (the group's emptyDir volumes; a read-only one is skipped silently), as kubelet makes a
 *     default-medium emptyDir 0777; started as root, it then drops to 65535:65535 (the
 *     identity of Kubernetes' pause) before it sleeps;
 *   - `pause -termination-files <dir> <name>...` (supervised groups): before dropping root, it
 *     creates <dir>/<name> for each container name (the host directory of the group's
 *     termination messages, bind-mounted at <dir>), mode 0666 whatever the umask, as kubelet
 *     creates each container's termination-log file; an existing file is kept as it is (the
 *     supervisor empties it before each start of its container);
 *   - it sleeps in pause() and does no work of its own;
 *   - SIGINT or SIGTERM: it exits with status 0 (so `docker stop` is quick and clean);
 *   - SIGCHLD: as PID 1 of a shared PID namespace it inherits every orphaned process of the
 *     members, so it reaps them (waitpid loop) and no zombie is left behind;
 *   - `pause -v` prints its version and exits.
 * Helper modes, run by the supervisor with `docker exec <pause> /pause ...` inside the group's
 * network namespace (httpGet / tcpSocket probes and hooks):
 *   - `pause -probe-tcp <port> <timeoutSeconds>`: connect to 127.0.0.1:<port>;
 *   - `pause -probe-http <port> <path> <timeoutSeconds>`: HTTP/1.1 GET <path> from
 *     127.0.0.1:<port>; success is a status 200-399, as kubelet's prober.
 *   Exit 0 on success, 1 on failure, 2 on bad arguments; one line on stdout: "ok: ...",
 *   "fail: HTTP <status> ..." (an answer out of range) or "error: ..." (no answer).
 * Written for this project after reading what Kubernetes' build/pause/linux/pause.c does.
 * Built static with musl (see scripts/images.sh); only async-signal-safe calls in handlers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PAUSE_VERSION
#define PAUSE_VERSION "dev"
#endif

#define VOLUMES_DIR "/.podgroup/volumes"
#define PAUSE_ID 65535

static void say(const char *msg) {
  /* write(2) is async-signal-safe; a failed write has nowhere better to be reported. */
  ssize_t ignored = write(STDERR_FILENO, msg, strlen(msg));
  (void)ignored;
}

static void out(const char *msg) {
  ssize_t ignored = write(STDOUT_FILENO, msg, strlen(msg));
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

static void on_alarm(int signo) {
  (void)signo;
  out("error: timeout\n");
  _exit(1);
}

static int handle(int signo, void (*handler)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  return sigaction(signo, &sa, NULL);
}

/* A tiny line builder (no stdio: the binary stays a few KiB). */
struct line {
  char buf[640];
  size_t len;
};

static void put(struct line *l, const char *s) {
  while (*s != '\0' && l->len < sizeof l->buf - 2) l->buf[l->len++] = *s++;
}

static void put_num(struct line *l, long n) {
  char d[24];
  int i = 0;
  if (n < 0) {
    put(l, "-");
    n = -n;
  }
  do d[i++] = (char)('0' + n % 10); while ((n /= 10) > 0 && i < 23);
  while (i > 0 && l->len < sizeof l->buf - 2) l->buf[l->len++] = d[--i];
}

/* Writes the line to stdout with its newline. */
static void emit(struct line *l) {
  l->buf[l->len++] = '\n';
  ssize_t ignored = write(STDOUT_FILENO, l->buf, l->len);
  (void)ignored;
}

static void put_errno(struct line *l, int err) {
  switch (err) {
  case ECONNREFUSED: put(l, "connection refused"); break;
  case ECONNRESET: put(l, "connection reset"); break;
  case ENETUNREACH: put(l, "network unreachable"); break;
  case EADDRNOTAVAIL: put(l, "address not available"); break;
  default: put(l, "errno "); put_num(l, err);
  }
}

/* A decimal in [lo, hi], or -1. */
static long number(const char *s, long lo, long hi) {
  long n = 0;
  if (*s == '\0') return -1;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9' || n > hi) return -1;
    n = n * 10 + (*s - '0');
  }
  return n < lo || n > hi ? -1 : n;
}

/* Connects to 127.0.0.1:port; the caller's alarm bounds the time. */
static int dial(long port) {
  struct line l = {.len = 0};
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    put(&l, "error: socket: ");
    put_errno(&l, errno);
    emit(&l);
    return -1;
  }
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons((unsigned short)port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int err = errno;
    put(&l, "error: connect 127.0.0.1:");
    put_num(&l, port);
    put(&l, ": ");
    put_errno(&l, err);
    emit(&l);
    close(fd);
    return -1;
  }
  return fd;
}

static int probe_tcp(long port) {
  int fd = dial(port);
  if (fd < 0) return 1;
  close(fd);
  struct line l = {.len = 0};
  put(&l, "ok: connected to 127.0.0.1:");
  put_num(&l, port);
  emit(&l);
  return 0;
}

static int probe_http(long port, const char *path) {
  char resp[512];
  struct line req = {.len = 0}, l = {.len = 0};
  if (strlen(path) > 400) {
    out("error: path too long\n");
    return 2;
  }
  put(&req, "GET ");
  put(&req, path);
  put(&req, " HTTP/1.1\r\nHost: 127.0.0.1:");
  put_num(&req, port);
  put(&req, "\r\nUser-Agent: kube-probe/1.34\r\nAccept: */*\r\nConnection: close\r\n\r\n");
  int n = (int)req.len;
  int fd = dial(port);
  if (fd < 0) return 1;
  for (int sent = 0; sent < n;) {
    ssize_t w = write(fd, req.buf + sent, (size_t)(n - sent));
    if (w < 0) {
      if (errno == EINTR) continue;
      put(&l, "error: send: ");
      put_errno(&l, errno);
      emit(&l);
      return 1;
    }
    sent += (int)w;
  }
  /* Only the status line matters: read until its end (or the buffer is full). */
  size_t got = 0;
  while (got < sizeof resp - 1 && memchr(resp, '\n', got) == NULL) {
    ssize_t r = read(fd, resp + got, sizeof resp - 1 - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  resp[got] = '\0';
  /* "HTTP/1.1 200 OK": the three digits after the first space. */
  int status = -1;
  char *sp = strchr(resp, ' ');
  if (strncmp(resp, "HTTP/", 5) == 0 && sp != NULL && sp[1] >= '1' && sp[1] <= '9' && sp[2] >= '0' &&
      sp[2] <= '9' && sp[3] >= '0' && sp[3] <= '9') {
    status = (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
  }
  if (status < 0) {
    out(got == 0 ? "error: no answer (connection closed)\n" : "error: not an HTTP answer\n");
    return 1;
  }
  int ok = status >= 200 && status < 400;
  put(&l, ok ? "ok: HTTP " : "fail: HTTP ");
  put_num(&l, status);
  put(&l, " from http://127.0.0.1:");
  put_num(&l, port);
  put(&l, path);
  emit(&l);
  return ok ? 0 : 1;
}

/* `pause -probe-tcp <port> <timeout>` / `pause -probe-http <port> <path> <timeout>`. */
static int probe(int argc, char **argv) {
  int http = strcmp(argv[1], "-probe-http") == 0;
  if (argc != (http ? 5 : 4)) {
    out(http ? "error: usage: pause -probe-http <port> <path> <timeoutSeconds>\n"
             : "error: usage: pause -probe-tcp <port> <timeoutSeconds>\n");
    return 2;
  }
  long port = number(argv[2], 1, 65535);
  long timeout = number(argv[argc - 1], 1, 86400);
  if (port < 0 || timeout < 0 || (http && argv[3][0] != '/')) {
    out("error: bad port, path or timeout\n");
    return 2;
  }
  handle(SIGPIPE, SIG_IGN, 0);
  if (handle(SIGALRM, on_alarm, 0) < 0) return 1;
  alarm((unsigned)timeout);
  return http ? probe_http(port, argv[3]) : probe_tcp(port);
}

/* chmod 0777 every directory directly under VOLUMES_DIR; what cannot be changed is skipped.
 * Raw getdents64 and set*id system calls: musl's opendir needs malloc and its setuid is
 * multi-thread machinery, which would make this single-threaded binary five times larger. */
struct dirent64_raw {
  unsigned long long ino;
  long long off;
  unsigned short reclen;
  unsigned char type;
  char name[];
};

static void open_volumes(void) {
  int dir = open(VOLUMES_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return;
  char buf[4096];
  long n;
  while ((n = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
    for (long off = 0; off < n;) {
      struct dirent64_raw *e = (struct dirent64_raw *)(buf + off);
      off += e->reclen;
      struct stat st;
      if (e->name[0] == '.' || fstatat(dir, e->name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) continue;
      if ((st.st_mode & 07777) == 0777) continue;
      int fd = openat(dir, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) continue;
      if (fchmod(fd, 0777) < 0 && errno != EROFS && errno != EPERM) {
        say("pause: warning: cannot chmod an emptyDir volume\n");
      }
      close(fd);
    }
  }
  close(dir);
}

/* Creates dir/name mode 0666 for each name (names are container names: no '/', not "." or "..").
 * A failure is reported and skipped: the pause must keep the group's namespaces whatever happens. */
static void termination_files(const char *dir_path, int n, char **names) {
  int dir = open(dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) {
    say("pause: warning: cannot open the termination-message directory\n");
    return;
  }
  for (int i = 0; i < n; i++) {
    const char *name = names[i];
    if (name[0] == '\0' || strchr(name, '/') != NULL || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
      say("pause: warning: bad termination-message file name skipped\n");
      continue;
    }
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0 || fchmod(fd, 0666) < 0) {
      say("pause: warning: cannot create a termination-message file: ");
      say(name);
      say("\n");
    }
    if (fd >= 0) close(fd);
  }
  close(dir);
}

/* Started as root (to chmod the volumes): continue as 65535:65535, as Kubernetes' pause runs. */
static void drop_root(void) {
  if (getuid() != 0) return;
  if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, PAUSE_ID, PAUSE_ID, PAUSE_ID) < 0 ||
      syscall(SYS_setresuid, PAUSE_ID, PAUSE_ID, PAUSE_ID) < 0) {
    say("pause: warning: cannot drop root, staying root\n");
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "-v") == 0) {
    say("pause " PAUSE_VERSION "\n");
    return 0;
  }
  if (argc > 1 && (strcmp(argv[1], "-probe-tcp") == 0 || strcmp(argv[1], "-probe-http") == 0)) {
    return probe(argc, argv);
  }
  int files = argc > 2 && strcmp(argv[1], "-termination-files") == 0;
  if (argc > 1 && !files) {
    say("pause: error: usage: pause [-v | -termination-files <dir> <name>... | -probe-tcp ... | -probe-http ...]\n");
    return 2;
  }
  if (getpid() != 1) {
    /* Not fatal: the pause also runs outside a shared PID namespace (pidMode unset). */
    say("pause: warning: not PID 1, orphans of other processes will not be reaped here\n");
  }
  if (files) termination_files(argv[2], argc - 3, argv + 3);
  open_volumes();
  drop_root();
  if (handle(SIGINT, on_shutdown, 0) < 0) return 1;
  if (handle(SIGTERM, on_shutdown, 0) < 0) return 2;
  if (handle(SIGCHLD, on_child, SA_NOCLDSTOP | SA_RESTART) < 0) return 3;

  for (;;) pause();
}
