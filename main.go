// Command agentdesk is a desktop client for Agent Assistant servers: it keeps
// every server connected at once, shows their agents' questions and work
// reports in one timeline, and sends each answer back where it came from.
//
//	agentdesk [--config-dir DIR] [--demo] [--keep N]
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
	keep := flag.Int("keep", 1000, "how many answered, cancelled or expired requests to keep in the timeline (pending ones are always kept)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: agentdesk [--config-dir DIR] [--demo] [--keep N]")
		fmt.Fprintln(os.Stderr, "       agentdesk doctor [--json] [--config-dir DIR] [URL…]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := ui.Run(ui.Options{ConfigDir: *configDir, Demo: *demo, MaxFinished: *keep}); err != nil {
		fmt.Fprintln(os.Stderr, "agentdesk:", err)
		os.Exit(1)
	}
}
