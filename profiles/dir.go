package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
)

// ConfigDirEnv overrides the config directory when --config-dir is not
// given.
const ConfigDirEnv = "AGENTDESK_CONFIG_DIR"

// DataDirEnv overrides the data directory (the history database) when
// --data-dir is not given.
const DataDirEnv = "AGENTDESK_DATA_DIR"

// appDirName is the folder agentdesk uses inside the user config and data
// dirs.
const appDirName = "agentdesk"

// ResolveConfigDir returns the directory the config file lives in: flagValue
// (from --config-dir) when set, else $AGENTDESK_CONFIG_DIR, else
// os.UserConfigDir()/agentdesk:
//
//	Linux, BSD  $XDG_CONFIG_HOME/agentdesk, or ~/.config/agentdesk
//	Windows     %AppData%\agentdesk (roams with the user's profile)
//	macOS       ~/Library/Application Support/agentdesk
//
// The result is absolute. It does not create the directory.
func ResolveConfigDir(flagValue string) (string, error) {
	return hostPlatform().resolve(flagValue, ConfigDirEnv, "--config-dir", "config", platform.configBase)
}

// ResolveDataDir returns the directory for data that is kept but is not
// settings, such as the history database: flagValue (from --data-dir) when
// set, else $AGENTDESK_DATA_DIR, else
//
//	Linux, BSD  $XDG_DATA_HOME/agentdesk, or ~/.local/share/agentdesk
//	Windows     %LocalAppData%\agentdesk (stays on this machine: a history
//	            database should not roam)
//	macOS       ~/Library/Application Support/agentdesk
//
// The result is absolute. It does not create the directory.
func ResolveDataDir(flagValue string) (string, error) {
	return hostPlatform().resolve(flagValue, DataDirEnv, "--data-dir", "data", platform.dataBase)
}

// platform is what the path rules read: the operating system's name and
// its environment. Tests pass fake ones, so each GOOS's rules are checked
// on any machine; the paths it builds use that GOOS's separators.
type platform struct {
	goos   string
	getenv func(string) string
	// home returns the home directory ($HOME, or %USERPROFILE% on Windows).
	home func() (string, error)
}

// hostPlatform is the machine agentdesk runs on.
func hostPlatform() platform {
	return platform{goos: runtime.GOOS, getenv: os.Getenv, home: os.UserHomeDir}
}

func (p platform) windows() bool { return p.goos == "windows" }

// apple reports the platforms where Go's user dirs follow macOS rules.
func (p platform) apple() bool { return p.goos == "darwin" || p.goos == "ios" }

// join joins path elements with the platform's separator.
func (p platform) join(elem ...string) string {
	if !p.windows() {
		return path.Join(elem...)
	}
	parts := make([]string, 0, len(elem))
	for i, e := range elem {
		e = strings.ReplaceAll(e, "/", `\`)
		if i > 0 {
			e = strings.TrimLeft(e, `\`)
		}
		if i < len(elem)-1 {
			e = strings.TrimRight(e, `\`)
		}
		if e != "" {
			parts = append(parts, e)
		}
	}
	return strings.Join(parts, `\`)
}

// isAbs reports whether dir is absolute by the platform's rules. On
// Windows that needs a drive (C:\…) or a UNC share (\\server\share).
func (p platform) isAbs(dir string) bool {
	if !p.windows() {
		return strings.HasPrefix(dir, "/")
	}
	dir = strings.ReplaceAll(dir, "/", `\`)
	if strings.HasPrefix(dir, `\\`) {
		return len(dir) > 2
	}
	return len(dir) >= 3 && dir[1] == ':' && dir[2] == '\\' &&
		(dir[0] >= 'a' && dir[0] <= 'z' || dir[0] >= 'A' && dir[0] <= 'Z')
}

// homeDir returns the home directory, which must be absolute.
func (p platform) homeDir() (string, error) {
	h, err := p.home()
	if err != nil {
		return "", fmt.Errorf("cannot find your home folder: %w", err)
	}
	if !p.isAbs(h) {
		return "", fmt.Errorf("cannot find your home folder: %q is not an absolute path", h)
	}
	return h, nil
}

// knownFolder reads a Windows folder variable such as %AppData%.
func (p platform) knownFolder(name string) (string, error) {
	dir := p.getenv(name)
	if dir == "" {
		return "", fmt.Errorf("%%%s%% is not set", name)
	}
	if !p.isAbs(dir) {
		return "", fmt.Errorf("%%%s%% is %q, not an absolute path", name, dir)
	}
	return dir, nil
}

// xdgHome returns $<name> when it is an absolute path, else fallback under
// the home directory. The XDG spec says a relative value is ignored.
func (p platform) xdgHome(name string, fallback ...string) (string, error) {
	if dir := p.getenv(name); dir != "" && p.isAbs(dir) {
		return dir, nil
	}
	h, err := p.homeDir()
	if err != nil {
		return "", err
	}
	return p.join(append([]string{h}, fallback...)...), nil
}

// configBase is the user config dir, by the rules of os.UserConfigDir (a
// test checks they agree on the host).
func (p platform) configBase() (string, error) {
	switch {
	case p.windows():
		return p.knownFolder("AppData")
	case p.apple():
		h, err := p.homeDir()
		if err != nil {
			return "", err
		}
		return p.join(h, "Library", "Application Support"), nil
	case p.goos == "plan9":
		h, err := p.homeDir()
		if err != nil {
			return "", err
		}
		return p.join(h, "lib"), nil
	}
	if dir := p.getenv("XDG_CONFIG_HOME"); dir != "" && !p.isAbs(dir) {
		// os.UserConfigDir refuses a relative value rather than ignoring it.
		return "", fmt.Errorf("$XDG_CONFIG_HOME is %q, not an absolute path", dir)
	}
	return p.xdgHome("XDG_CONFIG_HOME", ".config")
}

// dataBase is the user data dir.
func (p platform) dataBase() (string, error) {
	switch {
	case p.windows():
		return p.knownFolder("LocalAppData")
	case p.apple():
		return p.configBase()
	case p.goos == "plan9":
		return p.configBase()
	}
	return p.xdgHome("XDG_DATA_HOME", ".local", "share")
}

// resolve applies the shared rule of the config and data dirs: the flag,
// else the environment override, else base()/agentdesk. Overrides are
// host paths and made absolute against the working directory.
func (p platform) resolve(flagValue, env, flagName, what string, base func(platform) (string, error)) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = p.getenv(env)
	}
	if dir == "" {
		b, err := base(p)
		if err != nil {
			return "", fmt.Errorf("cannot find your %s folder (%v); choose one with %s or %s", what, err, flagName, env)
		}
		return p.join(b, appDirName), nil
	}
	if len(dir) > maxPathLen {
		return "", fmt.Errorf("the %s folder given by %s or %s is %d bytes long; at most %d are allowed", what, flagName, env, len(dir), maxPathLen)
	}
	if strings.ContainsRune(dir, 0) {
		return "", fmt.Errorf("the %s folder given by %s or %s contains a NUL character", what, flagName, env)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("%s folder %q: %w", what, dir, err)
	}
	return abs, nil
}

// maxPathLen bounds a folder given on the command line or in the
// environment; Windows' long-path limit is 32,767 UTF-16 units.
const maxPathLen = 32 << 10

// Where the Agent Assistant Flutter client keeps its shared_preferences:
// Flutter's path_provider puts them in the application support folder,
// named after the GTK application ID on Linux and after the Windows
// version resource's CompanyName\ProductName on Windows.
const (
	flutterPrefsFile = "shared_preferences.json"
	// flutterLinuxFolder is the folder earlier agentdesk releases looked in.
	flutterLinuxFolder = "code.agentassistant.flutter.agentassistant-flutter"
	// flutterLinuxAppID is APPLICATION_ID in the client's linux/CMakeLists.txt.
	flutterLinuxAppID = "code.agentassistant.flutter.flutterclient"
	// flutterWindowsCompany and flutterWindowsProduct are CompanyName and
	// ProductName in the client's windows/runner/Runner.rc.
	flutterWindowsCompany = "code.agentassistant.flutter"
	flutterWindowsProduct = "flutterclient"
	// flutterMacPlist is where NSUserDefaults keeps the macOS client's
	// settings (PRODUCT_BUNDLE_IDENTIFIER in macos/Runner/Configs/AppInfo.xcconfig).
	flutterMacPlist = "~/Library/Preferences/code.agentassistant.flutter.flutterclient.plist"
)

// ErrNoFlutterLocation is returned by [FlutterPrefsPath] on platforms where
// the Flutter client does not keep a shared_preferences.json: on macOS
// its settings are in NSUserDefaults, a property list agentdesk does not
// read.
var ErrNoFlutterLocation = errors.New("the Agent Assistant Flutter client keeps no shared_preferences.json on this platform")

// FlutterPrefsPath returns where the Agent Assistant Flutter client keeps
// its shared_preferences.json:
//
//	Linux, BSD  $XDG_DATA_HOME (or ~/.local/share)/code.agentassistant.flutter.flutterclient/
//	            (or …/code.agentassistant.flutter.agentassistant-flutter/, whichever exists)
//	Windows     %AppData%\code.agentassistant.flutter\flutterclient\
//	macOS       none: [ErrNoFlutterLocation]
//
// The file may not exist.
func FlutterPrefsPath() (string, error) {
	candidates, err := hostPlatform().flutterPrefs()
	if err != nil {
		return "", err
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); !errors.Is(err, fs.ErrNotExist) {
			return c, nil
		}
	}
	return candidates[0], nil
}

// flutterPrefs lists where the Flutter client's shared_preferences.json
// may be, most likely first.
func (p platform) flutterPrefs() ([]string, error) {
	switch {
	case p.windows():
		base, err := p.knownFolder("AppData")
		if err != nil {
			return nil, err
		}
		return []string{p.join(base, flutterWindowsCompany, flutterWindowsProduct, flutterPrefsFile)}, nil
	case p.apple():
		return nil, fmt.Errorf("%w: on macOS it keeps its settings in NSUserDefaults (%s), which agentdesk cannot import; add your servers and token in Settings", ErrNoFlutterLocation, flutterMacPlist)
	case p.goos == "android" || p.goos == "js" || p.goos == "wasip1" || p.goos == "plan9":
		return nil, ErrNoFlutterLocation
	}
	base, err := p.xdgHome("XDG_DATA_HOME", ".local", "share")
	if err != nil {
		return nil, err
	}
	return []string{
		p.join(base, flutterLinuxFolder, flutterPrefsFile),
		p.join(base, flutterLinuxAppID, flutterPrefsFile),
	}, nil
}
