// Command agentdesk is a desktop client for Agent Assistant servers: it keeps
// every server connected at once, shows their agents' questions and work
// reports in one timeline, and sends each answer back where it came from.
//
//	agentdesk [--config-dir DIR] [--demo]
//	agentdesk doctor [--json] [--config-dir DIR] [URL…]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/agentdesk/agentdesk/conn/doctor"
	"github.com/agentdesk/agentdesk/ui"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "doctor" {
		os.Exit(doctor.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	configDir := flag.String("config-dir", "", "config directory (default: $AGENTDESK_CONFIG_DIR, else the user config dir)")
	demo := flag.Bool("demo", false, "run two simulated servers and use them, leaving your own profiles alone")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: agentdesk [--config-dir DIR] [--demo]")
		fmt.Fprintln(os.Stderr, "       agentdesk doctor [--json] [--config-dir DIR] [URL…]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := ui.Run(ui.Options{ConfigDir: *configDir, Demo: *demo}); err != nil {
		fmt.Fprintln(os.Stderr, "agentdesk:", err)
		os.Exit(1)
	}
}
