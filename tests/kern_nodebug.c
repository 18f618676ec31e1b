/* A translation unit built without DEBUG: ASSERT must vanish. */
#include <sys/types.h>
#include <sys/debug.h>

int	nodebug_assert_count(void);

int
nodebug_assert_count(void)
{
	int n = 0;

	ASSERT(++n == 100);	/* neither evaluated nor reported */
	return n;
}
