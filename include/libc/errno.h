#ifndef DITTO_LIBC_ERRNO_H
#define DITTO_LIBC_ERRNO_H
/* Linux values, so negative-errno returns read the same everywhere. */
#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ENOTSUP 95
#define EOPNOTSUPP 95
#define ETIMEDOUT 110
extern int errno;
#endif
