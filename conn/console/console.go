// Package console lets agentdesk's command-line sub-commands (doctor,
// --version) print from a Windows build that is linked as a GUI program.
//
// A GUI-subsystem exe (-H windowsgui, so that no console window opens
// behind the app) starts without a console, and its standard handles are
// empty unless the caller redirected them. [AttachParent] attaches the
// process to the console of whoever started it (cmd.exe, PowerShell,
// Windows Terminal) and points the empty handles at it. Handles that are
// already valid, such as `> out.json` or a pipe, are kept as they are.
//
// On every other platform it does nothing: stdout and stderr are always
// where the shell put them.
package console
