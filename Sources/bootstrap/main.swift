import Handlers
import LambdaRuntime

await LambdaRuntime.main(handlers: .functions)
