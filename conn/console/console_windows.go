package console

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachConsole is kernel32's AttachConsole, which golang.org/x/sys/windows
// does not wrap.
var attachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachParentProcess is ATTACH_PARENT_PROCESS, (DWORD)-1.
const attachParentProcess = ^uint32(0)

// stream is one standard handle and the *os.File Go made for it.
type stream struct {
	std  uint32
	file **os.File
	name string
}

// AttachParent attaches to the parent process's console when stdout or
// stderr has no usable handle, and re-opens those on it. Call it first
// thing in main, before anything is printed, and only for command-line
// sub-commands: the GUI itself must not hold the console. When there is
// no parent console (started from Explorer) nothing changes and output is
// discarded, as before.
func AttachParent() {
	streams := []stream{
		{windows.STD_OUTPUT_HANDLE, &os.Stdout, "/dev/stdout"},
		{windows.STD_ERROR_HANDLE, &os.Stderr, "/dev/stderr"},
	}
	var missing []stream
	for _, s := range streams {
		if !usable(s.std) {
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return // both redirected (file, pipe) or already on a console
	}
	if ok, _, _ := attachConsole.Call(uintptr(attachParentProcess)); ok == 0 {
		return // no parent console, or already attached
	}
	for _, s := range missing {
		h, err := openConsoleOutput()
		if err != nil {
			continue
		}
		_ = windows.SetStdHandle(s.std, h)
		*s.file = os.NewFile(uintptr(h), s.name)
	}
}

// usable reports whether a standard handle leads somewhere: a console,
// a file or a pipe.
func usable(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	if err != nil || h == 0 || h == windows.InvalidHandle {
		return false
	}
	t, err := windows.GetFileType(h)
	return err == nil && t != windows.FILE_TYPE_UNKNOWN
}

// openConsoleOutput opens the attached console's screen buffer.
func openConsoleOutput() (windows.Handle, error) {
	name, err := windows.UTF16PtrFromString("CONOUT$")
	if err != nil {
		return 0, err
	}
	return windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
}
