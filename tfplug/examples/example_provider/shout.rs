//! `provider::example::shout(s)`: upper-cases `s` and appends "!".

use tfplug::{Function, FunctionError, Parameter, Signature, Type, Value};

pub struct Shout;

impl Function for Shout {
    fn name(&self) -> String {
        "shout".into()
    }

    fn signature(&self) -> Signature {
        Signature {
            parameters: vec![Parameter::new("text", Type::String, "What to shout.")],
            variadic: None,
            return_type: Type::String,
            summary: "Shouts a string".into(),
            description: "Returns `text` in upper case followed by `!`.".into(),
            deprecation: None,
        }
    }

    fn call(&self, args: Vec<Value>) -> Result<Value, FunctionError> {
        let text = args
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| FunctionError::at_argument("text must be a string", 0))?;
        Ok(Value::from(format!("{}!", text.to_uppercase())))
    }
}
