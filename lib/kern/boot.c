/*
 * boot.c - what a DDI 8 driver learns from the boot: bs_getval(9), the
 * boot parameters (set by a test with ddisim_bootparam), and
 * call_demon(9), the kernel debugger (a test's hook, ddisim_demon).
 *
 * A value bs_getval returned stays valid until the machine shuts down,
 * even if the parameter is set again: superseded values are kept, not
 * freed.  Locking: boot_lock guards the parameters and the hook.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "kern/kern.h"

#include "sys/types.h"
#include "sys/ddi.h"

struct bparam {
	char		*name;
	char		*value;		/* NULL: removed */
	struct bparam	*next;
};

static FORK_MUTEX(boot_lock);
static struct bparam *bparams;		/* live and superseded values */
static void (*demon_fn)(const void *, void *);
static void *demon_arg;
static unsigned demon_calls;

/* Set name to value (NULL: remove it); 0, EINVAL or ENOMEM. */
DDI_CONTROL(int, ddisim_bootparam, (const char *name, const char *value),
    (name, value))
{
	struct bparam *b;

	if (name == NULL || *name == '\0' || strchr(name, '=') != NULL)
		return EINVAL;
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->name = strdup(name)) == NULL ||
	    (value != NULL && (b->value = strdup(value)) == NULL)) {
		if (b != NULL)
			free(b->name);
		free(b);
		return ENOMEM;
	}
	/* The newest entry of a name is its value; older ones stay. */
	pthread_mutex_lock(&boot_lock);
	b->next = bparams;
	bparams = b;
	pthread_mutex_unlock(&boot_lock);
	return 0;
}

DDI_ENTRY(char *, bs_getval, (const char *name), (name))
{
	struct bparam *b;
	char *v = NULL;

	if (name == NULL) {
		verify_report(DDI_FUNC, DDI_CALLER, "NULL name");
		return NULL;
	}
	pthread_mutex_lock(&boot_lock);
	for (b = bparams; b != NULL; b = b->next)
		if (strcmp(b->name, name) == 0) {
			v = b->value;
			break;
		}
	pthread_mutex_unlock(&boot_lock);
	return v;
}

DDI_CONTROL_VOID(ddisim_demon, (void (*fn)(const void *caller, void *arg),
    void *arg), (fn, arg))
{
	pthread_mutex_lock(&boot_lock);
	demon_fn = fn;
	demon_arg = arg;
	pthread_mutex_unlock(&boot_lock);
}

DDI_CONTROL0(unsigned, ddisim_demon_calls)
{
	unsigned n;

	pthread_mutex_lock(&boot_lock);
	n = demon_calls;
	pthread_mutex_unlock(&boot_lock);
	return n;
}

/* The debugger runs in the caller's context, whatever it is. */
DDI_ENTRY0_VOID(call_demon)
{
	void (*fn)(const void *, void *);
	void *arg;

	pthread_mutex_lock(&boot_lock);
	demon_calls++;
	fn = demon_fn;
	arg = demon_arg;
	pthread_mutex_unlock(&boot_lock);
	if (fn != NULL)
		fn(DDI_CALLER, arg);
}

/* Shutdown: the parameters, the hook and the count go with the machine. */
void
boot_fini(void)
{
	pthread_mutex_lock(&boot_lock);
	while (bparams != NULL) {
		struct bparam *b = bparams;

		bparams = b->next;
		free(b->name);
		free(b->value);
		free(b);
	}
	demon_fn = NULL;
	demon_arg = NULL;
	demon_calls = 0;
	pthread_mutex_unlock(&boot_lock);
}
