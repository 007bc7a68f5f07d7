// Command agentdesk is a desktop client for Agent Assistant servers: it keeps
// every server connected at once, shows their agents' questions and work
// reports in one timeline, and sends each answer back where it came from.
//
//	agentdesk [--config-dir DIR] [--data-dir DIR] [--demo]
//	agentdesk doctor [--json] [--config-dir DIR] [URL…]
//	agentdesk --version
package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/agentdesk/agentdesk/assets/about"
	"github.com/agentdesk/agentdesk/conn/console"
	"github.com/agentdesk/agentdesk/conn/doctor"
	"github.com/agentdesk/agentdesk/profiles"
	"github.com/agentdesk/agentdesk/profiles/instance"
	"github.com/agentdesk/agentdesk/ui"
)

// fyneAppTOML holds the one version number ([Details] Version).
//
//go:embed FyneApp.toml
var fyneAppTOML []byte

func main() {
	if len(os.Args) > 1 && isCommandLine(os.Args[1]) {
		// The Windows build is a GUI program: give the sub-command the
		// console it was started from.
		console.AttachParent()
	}
	if len(os.Args) > 1 && os.Args[1] == "doctor" {
		os.Exit(doctor.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	configDir := flag.String("config-dir", "", "config directory (default: $AGENTDESK_CONFIG_DIR, else the user config dir)")
	demo := flag.Bool("demo", false, "run two simulated servers and use them, leaving your own profiles alone")
	dataDir := flag.String("data-dir", "", "history directory (default: $AGENTDESK_DATA_DIR, else the user data dir)")
	version := flag.Bool("version", false, "print the version, commit, Go and Fyne versions, and exit")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: agentdesk [--config-dir DIR] [--data-dir DIR] [--demo]")
		fmt.Fprintln(os.Stderr, "       agentdesk doctor [--json] [--config-dir DIR] [URL…]")
		fmt.Fprintln(os.Stderr, "       agentdesk --version")
		flag.PrintDefaults()
	}
	flag.Parse()
	info, err := about.FromBuild(fyneAppTOML)
	if err != nil {
		fmt.Fprintln(os.Stderr, "agentdesk:", err)
		os.Exit(1)
	}
	if *version {
		fmt.Print(info.String())
		return
	}

	opts := ui.Options{ConfigDir: *configDir, DataDir: *dataDir, Demo: *demo, About: info}
	if !*demo { // the demo has its own temporary config folder
		inst := claimInstance(*configDir)
		if inst != nil {
			defer inst.Close()
			opts.ConfigDir = inst.Dir()
			opts.Raiser = inst // a second start raises this window
		}
	}
	if err := ui.Run(opts); err != nil {
		fmt.Fprintln(os.Stderr, "agentdesk:", err)
		os.Exit(1)
	}
}

// isCommandLine reports whether arg starts a run that only prints.
func isCommandLine(arg string) bool {
	switch arg {
	case "doctor", "--version", "-version", "--help", "-help", "-h":
		return true
	}
	return false
}

// claimInstance makes this process the one agentdesk for its config
// folder. When another is running it asks it to show its window and
// exits: 0 when it did, 1 when it did not answer. When the lock cannot be
// checked at all, agentdesk still starts, and says so.
func claimInstance(configDirFlag string) *instance.Instance {
	dir, err := profiles.ResolveConfigDir(configDirFlag)
	if err != nil {
		return nil // ui.Run reports the config folder problem
	}
	inst, err := instance.Acquire(dir)
	var running *instance.RunningError
	switch {
	case errors.As(err, &running):
		fmt.Fprintln(os.Stderr, "agentdesk:", err)
		if running.Raised {
			os.Exit(0)
		}
		os.Exit(1)
	case err != nil:
		fmt.Fprintln(os.Stderr, "agentdesk: cannot make sure no other agentdesk uses this config folder:", err)
		return nil
	}
	return inst
}
