package account

import (
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

//go:generate go run go.uber.org/mock/mockgen@v0.6.0 -typed -destination=mock_api_test.go -package=account . OrganizationsAPI,STSAPI

// OrganizationsAPI is every call of *organizations.Client that the package
// makes: [ListAccounts] takes its ListAccounts method alone, [ListTree]
// [TreeAPI] and [Locate] [LocateAPI].
type OrganizationsAPI interface {
	organizations.ListAccountsAPIClient
	TreeAPI
	LocateAPI
}

// STSAPI is every call of *sts.Client that the package makes: assuming
// roles ([Options.STS]) and [Identify].
type STSAPI interface {
	stscreds.AssumeRoleAPIClient
	CallerIdentityAPI
}

var (
	_ OrganizationsAPI = (*organizations.Client)(nil)
	_ STSAPI           = (*sts.Client)(nil)
)
