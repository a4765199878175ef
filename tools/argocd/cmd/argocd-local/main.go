// Command argocd-local is the part of Argo CD that tools/localstack runs out of cluster: the
// application controller and the repo server (plus git's askpass helper, which the repo server
// hands to git). It is Argo CD's own cmd/main.go reduced to those commands, so the build compiles
// only their packages instead of the whole multi-call `argocd` binary (CLI, API server, Dex,
// ApplicationSet and notification controllers, commit server, CMP server ...).
//
// Like upstream it dispatches on the name it is called by (argv[0], or $ARGOCD_BINARY_NAME):
//
//	argocd-application-controller ...   (symlink to argocd-local)
//	argocd-repo-server ...
//	argocd-git-ask-pass                 (git runs GIT_ASKPASS=argocd with ARGOCD_BINARY_NAME=argocd-git-ask-pass)
//
// or on a subcommand: `argocd-local application-controller ...`, `argocd-local repo-server ...`.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/klog/v2"

	appcontroller "github.com/argoproj/argo-cd/v3/cmd/argocd-application-controller/commands"
	gitaskpass "github.com/argoproj/argo-cd/v3/cmd/argocd-git-ask-pass/commands"
	reposerver "github.com/argoproj/argo-cd/v3/cmd/argocd-repo-server/commands"
	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/util/grpc"
	"github.com/argoproj/argo-cd/v3/util/log"
)

const binaryNameEnv = "ARGOCD_BINARY_NAME"

func init() {
	// Make sure klog uses the configured log level and format (as upstream's cmd/main.go).
	klog.SetLogger(log.NewLogrusLogger(log.NewWithCurrentConfig()))
}

func command(name string) (*cobra.Command, bool) {
	switch name {
	case common.CommandApplicationController, "application-controller":
		return appcontroller.NewCommand(), true
	case common.CommandRepoServer, "repo-server":
		return reposerver.NewCommand(), true
	case common.CommandGitAskPass, "git-ask-pass":
		c := gitaskpass.NewCommand()
		c.SilenceErrors, c.SilenceUsage = true, true
		return c, true
	}
	return nil, false
}

// disableSRVLookups turns gRPC's DNS SRV lookups off, as upstream's main does (argo-cd#29989, #29857).
// Upstream's DisableSRVLookups panics when the flag is already false: grpclb's init turns it on, and
// grpclb is linked into the full multi-call binary (through cloud SDKs) but not into this one, so here
// the flag is normally off already. Either way it ends false.
func disableSRVLookups() {
	defer func() { _ = recover() }()
	grpc.DisableSRVLookups()
}

func main() {
	disableSRVLookups()

	name := filepath.Base(os.Args[0])
	if val := os.Getenv(binaryNameEnv); val != "" {
		name = val
	}
	cmd, ok := command(name)
	if !ok && len(os.Args) > 1 {
		if cmd, ok = command(os.Args[1]); ok {
			os.Args = append([]string{os.Args[1]}, os.Args[2:]...)
		}
	}
	if !ok {
		fmt.Fprintf(os.Stderr, "%s: this build holds only %s (call it by one of these names, or as `argocd-local <command>`)\n",
			name, strings.Join([]string{common.CommandApplicationController, common.CommandRepoServer, common.CommandGitAskPass}, ", "))
		os.Exit(2)
	}
	if err := cmd.Execute(); err != nil {
		os.Exit(1)
	}
}
