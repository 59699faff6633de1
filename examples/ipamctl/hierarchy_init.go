package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/ipamkit/ipamkit/hierarchy"
	"github.com/ipamkit/ipamkit/ipam"
)

// hierarchyInitCommand is "hierarchy init": write a spec to start from.
func hierarchyInitCommand() *Command {
	return &Command{
		Name:      "init",
		UsageLine: "--control-tower [--top-level-pool-cidr CIDR] [--regions R,...] [--regional-netmask N] [--environment-netmask N] [--environments E,...] [--tag-key KEY]",
		Short:     "Write the spec of the Control Tower sample's pool tree.",
		Long: `Write a spec to standard output, as YAML, that builds the pool tree of
the Control Tower sample (aws-samples/integrate-control-tower-with-ipam)
from the sample's parameters: a top pool, one pool per region with that
locale, and in each one pool per environment (OU) that allocates only to
resources tagged with the environment's name. The flags are the sample's
parameters, with its defaults.

plan against an IPAM the sample built shows only adoptions: the pools
are tagged, not created again. Edit the spec from there: descriptions,
allocation rules, more levels.`,
		Examples: []Example{
			{
				Args: "hierarchy init --control-tower --top-level-pool-cidr 10.0.0.0/8 --regions eu-west-1 --regional-netmask 12 --environment-netmask 14 --environments prod,dev",
				Output: `# The Control Tower sample's pool tree (aws-samples/integrate-control-tower-with-ipam).
# Check it with 'ipamctl hierarchy validate -f FILE', then plan and apply it.
pools:
  - name: top
    family: ipv4
    cidrs:
      - 10.0.0.0/8
    pools:
      - name: eu-west-1
        netmask: 12
        locale: eu-west-1
        pools:
          - name: prod
            netmask: 14
            allocation:
              tags:
                Env: prod
          - name: dev
            netmask: 14
            allocation:
              tags:
                Env: dev
`,
			},
			{
				Comment: "the sample's defaults: us-west-2, us-east-1; Prod OU, SDLC OU",
				Args:    "hierarchy init --control-tower",
			},
		},
		Flags: func(fs *flagSet) runFunc {
			var p hierarchy.ControlTowerParams
			controlTower := false
			fs.boolVal(&controlTower, "control-tower", "Write the Control Tower sample's tree. Required: it is the only template.")
			fs.fn("top-level-pool-cidr", "CIDR", "TopLevelPoolCidr, the top pool's CIDR; 192.168.0.0/16 if not given.", func(v string) error {
				c, err := ipam.ParseCIDR(v)
				var pe *ipam.ParseError
				if errors.As(err, &pe) {
					return pe.Err // the flag's error quotes the value
				}
				p.TopLevelPoolCIDR = c
				return err
			})
			fs.commaList(&p.Regions, "regions", "R,...", "RegionSelection, one regional pool each, in this order; us-west-2,us-east-1 if not given.")
			fs.intVal(&p.RegionalNetmask, "regional-netmask", "N", "IpamPoolPrefixLength, the prefix length of each regional pool; 20 if not given.")
			fs.intVal(&p.EnvironmentNetmask, "environment-netmask", "N", "AccPoolPrefixLength, the prefix length of each environment's pool; 21 if not given.")
			fs.commaList(&p.Environments, "environments", "E,...", `AccEnvName, the environments (OUs), one pool each in every region; "Prod OU,SDLC OU" if not given.`)
			fs.fn("tag-key", "KEY", "The tag key a resource must carry, with the environment's name as value, to get space; Env if not given.", func(v string) error {
				if v == "" {
					return errors.New("empty tag key")
				}
				p.TagKey = v
				return nil
			})
			return func(_ context.Context, e *env, args []string) error {
				if err := noArgs(args); err != nil {
					return err
				}
				if !controlTower {
					return usageErrorf("missing --control-tower (the only template there is)")
				}
				spec := hierarchy.ControlTowerSpec(func(cp *hierarchy.ControlTowerParams) { *cp = p })
				if err := spec.Validate(); err != nil {
					return specProblems("the parameters", err, true)
				}
				var b bytes.Buffer
				b.WriteString("# The Control Tower sample's pool tree (aws-samples/integrate-control-tower-with-ipam).\n" +
					"# Check it with 'ipamctl hierarchy validate -f FILE', then plan and apply it.\n")
				enc := yaml.NewEncoder(&b)
				enc.SetIndent(2)
				if err := enc.Encode(spec); err != nil {
					return fmt.Errorf("write the spec: %w", err)
				}
				if err := enc.Close(); err != nil {
					return fmt.Errorf("write the spec: %w", err)
				}
				_, err := e.stdout.Write(b.Bytes())
				return err
			}
		},
	}
}
