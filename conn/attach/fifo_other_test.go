//go:build !unix

package attach_test

import "os"

// mkfifo stands in with a folder where FIFOs do not exist; the case then
// checks the folder refusal again, which says "cannot be read" differently.
func mkfifo(path string) error { return os.Mkdir(path, 0o755) }
