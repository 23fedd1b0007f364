import Handlers
import LambdaRuntime

LambdaRuntime.main(handlers: .functions)
