package desk

import "github.com/agentdesk/agentdesk/conn/demo"

// StartDemo starts the bundled demo servers (package conn/demo).
func StartDemo() (DemoBackend, error) {
	d, err := demo.Start()
	if err != nil {
		return nil, err
	}
	return d, nil
}
