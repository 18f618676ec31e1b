/*
 * major.c - external and internal major numbers: etoimajor(9),
 * itoemajor(9), and the table ddisim_major_map fills.
 *
 * A device special file carries an external major number; the kernel's
 * switch tables are indexed by the internal one.  On the i386 the two
 * were equal unless a driver was configured with several majors (a
 * range in its Master file), which then all mapped to one internal
 * number.  The table here is that configuration: empty, every number is
 * its own internal number; ddisim_major_map maps an external number to
 * another internal one, as such a configuration would.  getmajor(9)
 * answers with the internal number, getemajor(9) with the external.
 *
 * Locking: major_lock guards the table.  It needs no machine, and
 * ddisim_shutdown empties it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "util/forklock.h"
#include "machine/entry.h"
#include "verify/verify.h"
#include "kern/kern.h"

#include "exports.h"
#include "sys/types.h"
#include "sys/ddi.h"

static FORK_MUTEX(major_lock);
static uint16_t major_map[L_MAXMAJ + 1];	/* internal + 1; 0: same */

major_t
major_internal(major_t emaj)
{
	major_t i;

	if (emaj > L_MAXMAJ)
		return emaj;
	pthread_mutex_lock(&major_lock);
	i = major_map[emaj] != 0 ? (major_t)major_map[emaj] - 1 : emaj;
	pthread_mutex_unlock(&major_lock);
	return i;
}

void
major_reset(void)
{
	pthread_mutex_lock(&major_lock);
	memset(major_map, 0, sizeof(major_map));
	pthread_mutex_unlock(&major_lock);
}

/* External emaj names the driver at internal imaj (emaj itself undoes). */
DDI_CONTROL(int, ddisim_major_map, (major_t emaj, major_t imaj),
    (emaj, imaj))
{
	if (emaj > L_MAXMAJ || imaj > L_MAXMAJ)
		return EINVAL;
	pthread_mutex_lock(&major_lock);
	major_map[emaj] = imaj == emaj ? 0 : (uint16_t)(imaj + 1);
	pthread_mutex_unlock(&major_lock);
	return 0;
}

DDI_ENTRY(int, etoimajor, (major_t emaj), (emaj))
{
	if (emaj > L_MAXMAJ)
		return -1;
	return (int)major_internal(emaj);
}

/*
 * The next external number after lastemaj (-1: from the start) that maps
 * to imaj, or -1 when there is none.
 */
DDI_ENTRY(int, itoemajor, (major_t imaj, int lastemaj), (imaj, lastemaj))
{
	if (lastemaj < -1 || lastemaj > L_MAXMAJ) {
		verify_report(DDI_FUNC, DDI_CALLER, "lastemaj %d is neither -1 "
		    "nor an external major number (0 to %u)", lastemaj,
		    L_MAXMAJ);
		return -1;
	}
	if (imaj > L_MAXMAJ)
		return -1;
	pthread_mutex_lock(&major_lock);
	for (major_t e = (major_t)(lastemaj + 1); e <= L_MAXMAJ; e++)
		if ((major_map[e] != 0 ? (major_t)major_map[e] - 1 : e) ==
		    imaj) {
			pthread_mutex_unlock(&major_lock);
			return (int)e;
		}
	pthread_mutex_unlock(&major_lock);
	return -1;
}
