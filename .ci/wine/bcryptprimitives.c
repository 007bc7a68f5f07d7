/*
 * A stand-in bcryptprimitives.dll for Wine 8.0 (Debian 12), which lacks
 * it: Wine added ProcessPrng in 8.13. Go's Windows runtime loads
 * ProcessPrng at start-up and dies without it, so every Go program fails
 * under Debian's Wine. .ci/wine/run builds this into the throwaway Wine
 * prefix only; agentdesk.exe is never linked with it, and on Windows 10 and
 * later the system's own DLL is used.
 *
 * ProcessPrng fills data with len random bytes from the system RNG, as the
 * real one does, by asking Wine's bcrypt.dll.
 */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
