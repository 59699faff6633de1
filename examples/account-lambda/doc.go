// Command account-lambda is an AWS Lambda function, run by Amazon
// EventBridge on AWS Control Tower's lifecycle events, that gives each
// managed account the IPAM pools of its OU through AWS RAM: the Control
// Tower sample's lifecycle Lambda done right, with package share.
package main
