package profiles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ConfigDirEnv overrides the config directory when --config-dir is not
// given.
const ConfigDirEnv = "AGENTDESK_CONFIG_DIR"

// appDirName is the folder agentdesk uses inside the user config dir.
const appDirName = "agentdesk"

// ResolveConfigDir returns the directory the config file lives in: flagValue
// (from --config-dir) when set, else $AGENTDESK_CONFIG_DIR, else
// os.UserConfigDir()/agentdesk. The result is absolute. It does not create
// the directory.
func ResolveConfigDir(flagValue string) (string, error) {
	return resolveConfigDir(flagValue, os.Getenv, os.UserConfigDir)
}

func resolveConfigDir(flagValue string, getenv func(string) string, userConfigDir func() (string, error)) (string, error) {
	dir := flagValue
	if dir == "" {
		dir = getenv(ConfigDirEnv)
	}
	if dir == "" {
		base, err := userConfigDir()
		if err != nil {
			return "", fmt.Errorf("cannot find your config folder (%v); choose one with --config-dir or %s", err, ConfigDirEnv)
		}
		if base == "" {
			return "", errors.New("cannot find your config folder; choose one with --config-dir or " + ConfigDirEnv)
		}
		dir = filepath.Join(base, appDirName)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("config folder %q: %w", dir, err)
	}
	return abs, nil
}
