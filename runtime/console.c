/* console.c: the container's terminal: a pty pair made by the init (or exec's child) from the
 * container's devpts, its slave set up as runc's (no ONLCR, owned by process.user), the master
 * handed to --console-socket with SCM_RIGHTS (runc's recvtty protocol: the payload is the pty
 * name). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/util.h"
#include "runtime/internal.h"

int console_open_pty(int *master, int *slave, char **slave_name, const struct oci_process *p,
                     struct cove_error *err)
{
  _cleanup_close_ int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  int unlock = 0, s;
  char name[64];

  if (m < 0)
    return cove_error_set(err, errno, "open /dev/ptmx");
  if (ioctl(m, TIOCSPTLCK, &unlock) < 0)
    return cove_error_set(err, errno, "unlock pty");
  s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s < 0)
    return cove_error_set(err, errno, "open pty peer");
  {
    unsigned int n;
    if (ioctl(m, TIOCGPTN, &n) == 0)
      snprintf(name, sizeof(name), "/dev/pts/%u", n);
    else
      snprintf(name, sizeof(name), "/dev/console");
  }
  if (p->console_height.set || p->console_width.set) {
    struct winsize ws = {.ws_row = (unsigned short) p->console_height.v, .ws_col = (unsigned short) p->console_width.v};
    ioctl(m, TIOCSWINSZ, &ws);
  }
  {
    /* as runc: no \n -> \r\n on the container's side (the terminal the user reads through does
     * its own translation, so output would end in \r\r\n) */
    struct termios t;
    if (tcgetattr(s, &t) < 0 || (t.c_oflag &= ~(tcflag_t) ONLCR, tcsetattr(s, TCSANOW, &t) < 0)) {
      int e = errno;
      close(s);
      return cove_error_set(err, e, "clear ONLCR on %s", name);
    }
  }
  /* the process's own terminal: owned by its user (the group stays the devpts one), as runc */
  if (fchown(s, p->user.uid, (gid_t) -1) < 0) {
    int e = errno;
    close(s);
    return cove_error_set(err, e, "chown %s to uid %u", name, p->user.uid);
  }
  *slave = s;
  *master = steal_fd(m);
  *slave_name = xstrdup(name);
  return 0;
}

int console_make_stdio(int slave, struct cove_error *err)
{
  if (setsid() < 0 && errno != EPERM)
    return cove_error_set(err, errno, "setsid");
  if (ioctl(slave, TIOCSCTTY, 0) < 0)
    return cove_error_set(err, errno, "make the pty the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2(slave, fd) < 0)
      return cove_error_set(err, errno, "dup the pty to fd %d", fd);
  return 0;
}

int console_send(const char *socket_path, int master, const char *name, struct cove_error *err)
{
  return unix_send_fd("console socket", socket_path, master, name, err);
}
