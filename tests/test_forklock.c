/*
 * test_forklock.c - every lock in the fork registry is free in a child
 * forked while another thread holds it.
 *
 * For each lock of the registry (util/forklock.h) a holder thread takes
 * it and keeps it until the forking thread's prepare handler has found it
 * busy (machine_fork_backoffs() moves), then lets it go; the fork must
 * wait for that, and the child must find the lock free and be able to
 * allocate, free and use locks.  The test forks itself, so it checks the
 * same thing with and without Check's fork.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/types.h>
#include <sys/kmem.h>
#include <sys/ksynch.h>
#include <sys/ddi.h>
#include <sys/stream.h>
#include <sys/buf.h>
#include <sys/cmn_err.h>
#include <sys/dma.h>

#include "exports.h"

#include "lib/testutil.h"
#include "util/forklock.h"
#include "machine/machine.h"

#define MAX_LOCKS	1024

/*
 * ThreadSanitizer does not follow a lock across fork: a lock the fork
 * handlers took in the parent and released in the child still looks held
 * to it there, so every child would fail.  The other builds (plain,
 * debug, ASan+UBSan, Valgrind) run this test.
 */
#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN	1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN	1
#endif
#endif

/* One lock of the registry: an entry, and an element of it. */
struct one {
	const struct fork_lock *f;
	unsigned	i;
};
static struct one locks[MAX_LOCKS];
static int nlocks;

static void
collect(const struct fork_lock *f, void *arg)
{
	unsigned n = f->kind == FORK_LOCK_HOOKS ? 1 : f->n;

	(void)arg;
	for (unsigned i = 0; i < n && nlocks < MAX_LOCKS; i++)
		locks[nlocks++] = (struct one){ f, i };
}

static void *
lock_at(const struct one *o)
{
	return (char *)o->f->lock + (size_t)o->i * o->f->stride;
}

static _Atomic bool held;
static _Atomic unsigned long backoffs_before;

static void *
holder(void *arg)
{
	const struct one *o = arg;

	switch (o->f->kind) {
	case FORK_LOCK_MUTEX:
		pthread_mutex_lock(lock_at(o));
		break;
	case FORK_LOCK_RWLOCK:
		/* a reader: the writer prepare asks for must wait */
		pthread_rwlock_rdlock(lock_at(o));
		break;
	case FORK_LOCK_HOOKS:
		while (!o->f->try_all())
			sched_yield();
		break;
	}
	held = true;
	/* keep it until the prepare handler has found it busy */
	while (machine_fork_backoffs() == backoffs_before)
		sched_yield();
	switch (o->f->kind) {
	case FORK_LOCK_MUTEX:
		pthread_mutex_unlock(lock_at(o));
		break;
	case FORK_LOCK_RWLOCK:
		pthread_rwlock_unlock(lock_at(o));
		break;
	case FORK_LOCK_HOOKS:
		o->f->release_all();
		break;
	}
	return NULL;
}

/* In the child: the lock is free, and the library works. */
static int
child_checks(const struct one *o)
{
	lock_t *lk;
	mblk_t *mp;
	buf_t *bp;
	void *p;

	switch (o->f->kind) {
	case FORK_LOCK_MUTEX:
		if (pthread_mutex_trylock(lock_at(o)) != 0)
			return 2;
		pthread_mutex_unlock(lock_at(o));
		break;
	case FORK_LOCK_RWLOCK:
		if (pthread_rwlock_trywrlock(lock_at(o)) != 0)
			return 2;
		pthread_rwlock_unlock(lock_at(o));
		break;
	case FORK_LOCK_HOOKS:
		if (!o->f->try_all())
			return 2;
		o->f->release_all();
		break;
	}
	if ((p = kmem_alloc(3 * 4096 + 100, KM_SLEEP)) == NULL)
		return 3;
	memset(p, 0x5a, 3 * 4096 + 100);
	kmem_free(p, 3 * 4096 + 100);
	if ((mp = allocb(200, BPRI_MED)) == NULL)
		return 4;
	freemsg(mp);
	if ((lk = LOCK_ALLOC(1, plbase, NULL, KM_SLEEP)) == NULL)
		return 5;
	LOCK_DEALLOC(lk);
	cmn_err(CE_CONT, "!a child's message\n");
	wakeup((caddr_t)&lk);
	if ((bp = getrbuf(KM_SLEEP)) == NULL)
		return 7;
	freerbuf(bp);
	if (ddisim_outstanding() != 0)
		return 6;
	return 0;
}

START_TEST(fork_while_held)
{
	const struct one *o = &locks[_i];
	pthread_t t;
	pid_t pid;
	int st;

	held = false;
	backoffs_before = machine_fork_backoffs();
	ck_assert_int_eq(pthread_create(&t, NULL, holder, (void *)o), 0);
	while (!held)
		sched_yield();
	pid = fork();
	if (pid == 0)
		_exit(child_checks(o));
	ck_assert_int_ge(pid, 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "lock %s[%u]: child status %#x", o->f->name, o->i, st);
	/* the fork waited for the holder */
	ck_assert_uint_gt(machine_fork_backoffs(), backoffs_before);
}
END_TEST

/* The registry holds the locks named in the library's fork contract. */
START_TEST(registry_has_the_library_locks)
{
	static const char *const want[] = {
		"ram_init_lock", "verify_lock", "palloc_lock", "wait_lock",
		"pcp", "vm_lock", "proc_lock", "arena_lock",
		"kmem_count_lock", "preq_lock", "resv_lock", "pools",
		"rec_tab[].lock", "kctx_list_lock", "kcpus[].mtx",
		"clock_lock", "cmn_lock", "intr_lock", "pio_lock",
		"pio_drain_lock", "chan_lock", "svc_lock", "post_lock",
		"pageio_lock", "oddi_req_lock", "dma_devs_lock",
		"i8237_lock", "attach_lock",
	};
	int found;

	for (size_t w = 0; w < sizeof(want) / sizeof(want[0]); w++) {
		found = 0;
		for (int i = 0; i < nlocks; i++)
			if (strcmp(locks[i].f->name, want[w]) == 0)
				found++;
		ck_assert_msg(found > 0, "%s is not in the fork registry",
		    want[w]);
	}
}
END_TEST

/*
 * The test links the library's objects statically, and only those it
 * refers to are in it: refer to the ones whose locks the registry test
 * names and the child does not call.
 */
static void (*const referenced[])(void) __attribute__((used)) = {
	(void (*)(void))dma_pageio, (void (*)(void))physio,
	(void (*)(void))dma_prog,
};

static void
setup(void)
{
	MACHINE_UP("mem=256M");
}

int
main(void)
{
	Suite *s = suite_create("forklock");
	TCase *tc;

#ifdef UNDER_TSAN
	puts("test_forklock: not run under ThreadSanitizer (see above main)");
	return 77;
#endif
	if (referenced[0] == NULL)
		return EXIT_FAILURE;
	machine_fork_locks_visit(collect, NULL);
	tc = tcase_new("registry");
	tcase_add_test(tc, registry_has_the_library_locks);
	suite_add_tcase(s, tc);
	tc = tcase_new("fork");
	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_loop_test(tc, fork_while_held, 0, nlocks);
	suite_add_tcase(s, tc);
	return run_suite(s) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
