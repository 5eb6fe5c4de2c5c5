//! Provider function RPCs (Terraform ≥ 1.8).

use super::ProviderService;
use super::convert::{decode, diagnostics, encode, function};
use super::guard::guarded;
use crate::function::FunctionError;
use crate::proto::tfplugin6 as pb;

impl ProviderService {
    pub(crate) fn function_signatures(&self) -> std::collections::HashMap<String, pb::Function> {
        self.functions
            .iter()
            .map(|(name, f)| (name.clone(), function(&f.signature())))
            .collect()
    }

    pub(crate) fn get_functions_handler(&self) -> pb::get_functions::Response {
        pb::get_functions::Response {
            functions: self.function_signatures(),
            diagnostics: diagnostics(&Default::default()),
        }
    }

    pub(crate) async fn call_function_handler(
        &self,
        req: pb::call_function::Request,
    ) -> pb::call_function::Response {
        let fail = |e: FunctionError| pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: e.text,
                function_argument: e.argument,
            }),
        };
        let Some(f) = self.functions.get(&req.name) else {
            return fail(FunctionError::new(format!(
                "This provider has no function named \"{}\".",
                req.name
            )));
        };
        let sig = f.signature();
        let mut args = Vec::with_capacity(req.arguments.len());
        for (i, dv) in req.arguments.iter().enumerate() {
            let param = sig.parameters.get(i).or(sig.variadic.as_ref());
            let Some(param) = param else {
                return fail(FunctionError::new(format!(
                    "{} takes {} arguments, got {}.",
                    req.name,
                    sig.parameters.len(),
                    req.arguments.len()
                )));
            };
            match decode(Some(dv), &param.ty) {
                Ok(v) => args.push(v),
                Err(d) => return fail(FunctionError::at_argument(d.detail, i)),
            }
        }
        let outcome = guarded("function call", async { f.call(args) }).await;
        match outcome {
            Ok(Ok(v)) => match encode(&v, &sig.return_type) {
                Ok(dv) => pb::call_function::Response {
                    result: Some(dv),
                    error: None,
                },
                Err(d) => fail(FunctionError::new(d.detail)),
            },
            Ok(Err(e)) => fail(e),
            Err(d) => fail(FunctionError::new(d.detail)),
        }
    }
}
