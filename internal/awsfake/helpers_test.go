package awsfake

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// Accounts of the test world.
const (
	mgmtAccount    = "111111111111"
	networkAccount = "222222222222"
	prodAccount    = "333333333333"
	devAccount     = "444444444444"
	networkKey     = "AKIANETWORKEXAMPLE01"
	prodKey        = "AKIAPRODEXAMPLE00001"
)

// testWorld is the organization the wire tests run against, with the IDs
// the builder gave its resources.
type testWorld struct {
	world                             *World
	root, workloads, prodOU, sdlcOU   string
	infraOU                           string
	prodVPCs                          []string // 12 VPCs of prodAccount in us-east-1
	dualVPC                           string   // two IPv4 blocks and one IPv6 block
	fullSubnet, ipv6Subnet            string
	ipamID, privateScope, publicScope string
	topPool, regionPool, prodPool     string
	devAccounts                       []string // 24 more accounts under SDLC
	externalRole                      string   // role in devAccount with an ExternalId
}

func newTestWorld(t testing.TB) testWorld {
	t.Helper()
	var w testWorld
	b := NewBuilder(mgmtAccount)
	w.root = b.Root()
	w.workloads = b.OU(w.root, "Workloads")
	w.prodOU = b.OU(w.workloads, "Prod OU")
	w.sdlcOU = b.OU(w.workloads, "SDLC OU")
	w.infraOU = b.OU(w.root, "Infrastructure")
	b.Account(w.infraOU, networkAccount, "network", "network@example.com")
	b.DelegatedAdministrator(networkAccount)
	b.AccessKey(networkKey, networkAccount, "netadmin")
	b.Account(w.prodOU, prodAccount, "prod", "prod@example.com")
	b.AccessKey(prodKey, prodAccount, "produser")
	b.Account(w.sdlcOU, devAccount, "dev", "dev@example.com")
	for i := range 24 {
		id := "5555555555" + twoDigits(i)
		w.devAccounts = append(w.devAccounts, b.Account(w.sdlcOU, id, "sandbox-"+twoDigits(i), "sandbox"+twoDigits(i)+"@example.com"))
	}
	w.externalRole = b.Role(devAccount, "ipamkit-reader", "ext-id-123", networkAccount, mgmtAccount)

	w.ipamID = b.IPAM(networkAccount, "us-east-1", "us-east-1", "us-west-2")
	w.privateScope = b.Scope(w.ipamID, "private")
	w.publicScope = b.Scope(w.ipamID, "public")
	w.topPool = b.Pool(PoolSpec{Scope: w.privateScope, Description: "top", Tags: map[string]string{"Name": "top"}})
	b.ProvisionCIDR(w.topPool, "10.0.0.0/8")
	w.regionPool = b.Pool(PoolSpec{Scope: w.privateScope, Parent: w.topPool, Locale: "us-east-1", Description: "us-east-1"})
	b.ProvisionCIDR(w.regionPool, "10.0.0.0/12")
	w.prodPool = b.Pool(PoolSpec{
		Scope: w.privateScope, Parent: w.regionPool, Locale: "us-east-1", Description: "prod",
		AllocationMinNetmaskLength: 16, AllocationMaxNetmaskLength: 24, AllocationDefaultNetmask: 20,
		AllocationResourceTags: map[string]string{"Env": "Prod OU"},
	})
	b.ProvisionCIDR(w.prodPool, "10.0.0.0/14")

	for i := range 12 {
		cidr := "10.0." + itoa(i*16) + ".0/20"
		id := b.VPC(prodAccount, "us-east-1", cidr)
		b.Allocate(w.prodPool, cidr, id)
		b.Tag(id, "Name", "prod-"+twoDigits(i))
		if i == 1 {
			b.Tag(id, "Env", "Prod OU")
		}
		w.prodVPCs = append(w.prodVPCs, id)
	}
	w.dualVPC = b.VPC(prodAccount, "us-west-2", "192.168.0.0/24", "192.168.1.0/24", "fd00:1::/56")
	w.fullSubnet = b.Subnet(w.dualVPC, "192.168.0.0/28", 11) // 16 - 5 reserved - 11 used = 0 available
	b.Subnet(w.dualVPC, "192.168.1.0/25", 3)
	w.ipv6Subnet = b.Subnet(w.dualVPC, "fd00:1::/64", 0)
	b.VPC(devAccount, "us-east-1", "10.0.0.0/16") // overlaps a prod VPC
	b.VPC(devAccount, "eu-west-1", "10.9.0.0/16") // outside the operating regions

	world, err := b.Build()
	require.NoError(t, err, "build test world")
	w.world = world
	return w
}

func twoDigits(i int) string { return string([]byte{byte('0' + i/10), byte('0' + i%10)}) }

func itoa(i int) string {
	if i < 10 {
		return string([]byte{byte('0' + i)})
	}
	return itoa(i/10) + string([]byte{byte('0' + i%10)})
}

// startServer starts a server with the world and closes it when the test ends.
func startServer(t testing.TB, w *World, optFns ...func(*Options)) *Server {
	t.Helper()
	srv, err := New(append([]func(*Options){func(o *Options) { o.World = w }}, optFns...)...)
	require.NoError(t, err, "start server")
	t.Cleanup(srv.Close)
	return srv
}

// clientConfig is the server's client configuration for a key and region.
func clientConfig(srv *Server, keyID, region string) aws.Config {
	return srv.ClientConfig(keyID, region)
}

func ec2Client(srv *Server, keyID, region string) *ec2.Client {
	return ec2.NewFromConfig(clientConfig(srv, keyID, region))
}

func stsClient(srv *Server, keyID, region string) *sts.Client {
	return sts.NewFromConfig(clientConfig(srv, keyID, region))
}

func orgClient(srv *Server, keyID string) *organizations.Client {
	return organizations.NewFromConfig(clientConfig(srv, keyID, "us-east-1"))
}

// errorCode returns the AWS error code of err, or "" when err is not an API error.
func errorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// callsTo returns the logged calls of one operation.
func callsTo(srv *Server, operation string) []Call {
	var out []Call
	for _, c := range srv.Calls() {
		if c.Operation == operation {
			out = append(out, c)
		}
	}
	return out
}

// staticProvider returns fixed credentials with a session token.
func staticProvider(keyID, token string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(keyID, "secret", token)
}
