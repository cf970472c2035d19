// SPDX-License-Identifier: MIT
/*
 * The mark itself (guard.h). Initial-exec TLS: the preload is loaded with
 * the program, and the mark must be readable before anything (malloc
 * included) is ready, as the first intercepted call can come from another
 * library's constructor.
 */
#include "guard.h"

__thread unsigned int preload_depth __attribute__((tls_model("initial-exec")));
